"""Warnings for tests: a draft by a press officer, published by a commander."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anninh.public import services
from anninh.public.services import WarningInput


def warning_input(**overrides) -> WarningInput:
    now = timezone.now()
    values = {
        "trick": "police_impersonation",
        "severity": "Severe",
        "title_vi": "Cảnh giác cuộc gọi giả danh công an",
        "title_en": "Beware of calls pretending to be police",
        "recognise_vi": "Người gọi tự xưng công an, nói tài khoản liên quan đến vụ rửa tiền.",
        "recognise_en": "The caller says he is a police officer and your account is linked to money laundering.",
        "action_vi": "Không chuyển tiền. Gọi 113 hoặc đến công an xã, phường gần nhất.",
        "action_en": "Do not transfer money. Call 113 or go to the nearest commune police.",
        "hotline": "113",
        "whole_city": False,
        "commune_codes": ["11311"],
        "valid_from": now - dt.timedelta(days=1),
        "valid_until": now + dt.timedelta(days=30),
    }
    values.update(overrides)
    return WarningInput(**values)


def publish_warning(*, drafter, approver, **overrides):
    warning = services.warning_create(actor=drafter, data=warning_input(**overrides))
    services.warning_submit(actor=drafter, warning=warning)
    return services.warning_approve(actor=approver, warning=warning)
