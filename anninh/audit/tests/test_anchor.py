"""Anchoring the chain outside the database: `audit_anchor` appends a signed line with the
head (row count, newest row and its hash); `audit_verify --anchor FILE` fails when the log
no longer reaches the anchors (rows removed at the end and the head rewritten, everything
wiped, the chain rebuilt) or when a line's signature is wrong, and passes as the log grows."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import CommandError, call_command

from anninh.audit.hashing import GENESIS
from anninh.audit.models import AuditChainHead, AuditEvent
from anninh.audit.services import audit_chain_verify
from anninh.audit.tests.conftest import raw, triggers_lifted, write_events

pytestmark = pytest.mark.django_db

KEY = "anchor-key-kept-away-from-the-database-" + "k" * 20


@pytest.fixture(autouse=True)
def _anchor_key(settings):
    settings.AUDIT_ANCHOR_KEY = KEY


@pytest.fixture
def anchors(tmp_path):
    return tmp_path / "audit-anchors.jsonl"


def anchor(path, *args) -> str:
    out = io.StringIO()
    call_command("audit_anchor", "--file", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def verify(path) -> str:
    out = io.StringIO()
    call_command("audit_verify", "--no-progress", "--anchor", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def set_head(*, last_event_id, last_hash, count) -> None:
    AuditChainHead.objects.filter(pk=1).update(last_event_id=last_event_id, last_hash=last_hash, count=count)


def test_an_anchor_is_one_signed_json_line_with_the_head(anchors):
    events = write_events(3)
    anchor(anchors)
    (line,) = lines(anchors)
    assert (line["count"], line["last_id"], line["last_hash"]) == (3, events[-1].pk, events[-1].hash)
    assert line["at"] and len(line["sig"]) == 64


def test_a_log_that_grows_between_anchors_passes(anchors):
    write_events(3)
    anchor(anchors)
    write_events(2)
    anchor(anchors)
    write_events(4)
    assert "2 anchors" in verify(anchors)
    assert [a["count"] for a in lines(anchors)] == [3, 5]


def test_rows_removed_at_the_end_with_the_head_rewritten_are_caught(anchors):
    events = write_events(5)
    anchor(anchors)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent WHERE id > %s", [events[2].pk])
    set_head(last_event_id=events[2].pk, last_hash=events[2].hash, count=3)
    assert audit_chain_verify().ok  # the chain alone cannot tell
    with pytest.raises(CommandError, match=r"holds 3 rows but the anchor .* counted 5"):
        verify(anchors)


def test_a_wiped_log_is_caught(anchors):
    write_events(4)
    anchor(anchors)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent")
    set_head(last_event_id=None, last_hash=GENESIS, count=0)
    assert audit_chain_verify().ok
    with pytest.raises(CommandError, match=r"holds 0 rows but the anchor .* counted 4"):
        verify(anchors)


def test_a_chain_rebuilt_from_scratch_is_caught_by_the_anchored_hash(anchors):
    events = write_events(3)
    anchor(anchors)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent")
    set_head(last_event_id=None, last_hash=GENESIS, count=0)
    write_events(5, object_repr="rewritten")
    assert audit_chain_verify().ok
    if AuditEvent.objects.filter(pk=events[-1].pk).exists():
        message = rf"Row {events[-1].pk} no longer has the hash anchored"
    else:
        message = rf"Row {events[-1].pk}, the newest row when anchored .* is missing"
    with pytest.raises(CommandError, match=message):
        verify(anchors)


def test_a_forged_anchor_line_is_caught(anchors):
    write_events(2)
    anchor(anchors)
    line = lines(anchors)[0]
    forged = {**line, "count": 1}
    anchors.write_text(json.dumps(forged) + "\n")
    with pytest.raises(CommandError, match=r"line 1 .*signature"):
        verify(anchors)


def test_an_anchor_signed_with_another_key_is_caught(anchors, settings):
    write_events(2)
    settings.AUDIT_ANCHOR_KEY = "someone-elses-key"
    anchor(anchors)
    settings.AUDIT_ANCHOR_KEY = KEY
    with pytest.raises(CommandError, match="signature"):
        verify(anchors)


def test_a_file_that_is_not_anchor_lines_is_refused(anchors):
    write_events(1)
    anchor(anchors)
    with anchors.open("a") as f:
        f.write("not json\n")
    with pytest.raises(CommandError, match="line 2"):
        verify(anchors)
    with pytest.raises(CommandError, match="no anchor"):
        verify(anchors.with_name("missing.jsonl"))


def test_a_broken_chain_is_not_anchored(anchors):
    events = write_events(3)
    with triggers_lifted():
        raw("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match="BROKEN"):
        anchor(anchors)
    assert not anchors.exists()


def test_production_refuses_to_anchor_or_check_anchors_without_the_key(anchors, settings):
    write_events(1)
    anchor(anchors)
    settings.PRODUCTION = True
    settings.AUDIT_ANCHOR_KEY = ""
    with pytest.raises(CommandError, match="ANNINH_AUDIT_ANCHOR_KEY"):
        anchor(anchors)
    with pytest.raises(CommandError, match="ANNINH_AUDIT_ANCHOR_KEY"):
        verify(anchors)


def test_development_signs_with_a_key_derived_from_the_secret_key(anchors, settings):
    settings.AUDIT_ANCHOR_KEY = ""
    write_events(2)
    anchor(anchors)
    assert "1 anchor" in verify(anchors)


def test_the_anchor_can_be_posted_to_a_url_outside_the_database():
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        events = write_events(2)
        out = io.StringIO()
        call_command("audit_anchor", "--url", f"http://127.0.0.1:{server.server_port}/anchors", stdout=out)
        thread.join(5)
    finally:
        server.server_close()
    (body,) = received
    assert json.loads(body)["last_hash"] == events[-1].hash


def test_the_anchor_command_needs_a_file_or_a_url():
    with pytest.raises(CommandError, match="--file"):
        call_command("audit_anchor", stdout=io.StringIO())
