"""The auditor's home lists the latest audit rows: user names and object names are shown as
recorded (identifiers and data, not interface text), marked translate="no" so that neither a
translation tool nor the sweep's check for English in Vietnamese pages reads them as strings to
translate (the sweep found "register page", an object name recorded by the records app)."""

from __future__ import annotations

import re

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.testing.matrix import client_for


def test_recorded_names_on_the_auditors_home_are_not_interface_text(personas):
    audit_record(
        actor=personas["investigator"],
        action=AuditAction.VIEW,
        object_type="records.crimereport",
        object_repr="register page",
    )
    client = client_for(personas["auditor"])
    client.cookies["django_language"] = "vi"
    html = client.get("/").content.decode()
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*register page(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert '<td translate="no">register page</td>' in row
    assert f'<td translate="no">{personas["investigator"].username}</td>' in row
