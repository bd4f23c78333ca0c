"""Exports: FollowTheMoney JSON lines that the followthemoney package reads back, GEXF that
parses, CSV/XLSX with one row per link; only the team exports, and each export is audited."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from followthemoney import model
from lxml import etree
from openpyxl import load_workbook

from anninh.audit.models import AuditAction, AuditEvent
from anninh.investigations.models import Link
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db


def _get(client, inv, fmt):
    response = client.get(reverse("investigations:export", args=[inv.pk, fmt]))
    assert response.status_code == 200, fmt
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_export_reads_back_and_is_audited(personas, investigation, analysed):
    client = client_for(personas["investigator"])
    links = Link.objects.unrestricted().filter(investigation=investigation).count()
    lines = _get(client, investigation, "ftm").decode().splitlines()
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    schemata = {p.schema.name for p in proxies}
    assert {"Person", "BankAccount", "Payment", "CryptoWallet", "Call", "Company", "Directorship"} <= schemata
    payment = next(p for p in proxies if p.schema.name == "Payment")
    assert payment.get("amount")[0].isdigit() and ".csv#" in payment.get("recordId")[0]
    root = etree.fromstring(_get(client, investigation, "gexf"))
    assert root.tag == "{http://gexf.net/1.3}gexf"
    assert len(root.findall(".//{http://gexf.net/1.3}node")) > 0
    rows = list(csv.reader(io.StringIO(_get(client, investigation, "csv").decode("utf-8-sig"))))
    assert rows[0][:3] == ["link_id", "link_type", "from_id"] and len(rows) == links + 1
    wb = load_workbook(io.BytesIO(_get(client, investigation, "xlsx")), read_only=True)
    assert sum(1 for _ in wb["links"].iter_rows()) == links + 1
    pdf = client.get(reverse("investigations:summary_pdf", args=[investigation.pk]))
    assert pdf.content.startswith(b"%PDF")
    exported = AuditEvent.objects.unrestricted().filter(
        action=AuditAction.EXPORT, actor_id=personas["investigator"].pk
    )
    assert exported.count() == 5


def test_a_grant_reads_but_does_not_export(personas, investigation):
    from anninh.investigations import services

    auditor = personas["auditor"]
    services.access_grant(
        actor=personas["investigator"], investigation=investigation, user=auditor, reason="kiểm tra"
    )
    response = client_for(auditor).get(reverse("investigations:export", args=[investigation.pk, "csv"]))
    assert response.status_code == 403
