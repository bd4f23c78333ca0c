"""The public holidays of 2027 (Tết, the Hùng Kings' day, the second National Day day; some
provisional) and the sources of every day off; then the stored due dates of the reports whose
clock is running are recomputed over the new table (as `manage.py days_off_sync` does; a
migration writes no audit rows)."""

import datetime as dt

from django.db import migrations

HCM = dt.timezone(dt.timedelta(hours=7))  # Asia/Ho_Chi_Minh has no DST


def load(apps, schema_editor):
    from anninh.records.deadlines import ClockEvent, ClockEventKind, DeadlineError, clock_state
    from anninh.records.reference import days_off_load

    DayOff = apps.get_model("records", "DayOff")
    CrimeReport = apps.get_model("records", "CrimeReport")
    ReportClockEvent = apps.get_model("records", "ReportClockEvent")
    days_off_load(DayOff)
    off = list(DayOff.objects.values_list("date", flat=True))
    for report in CrimeReport.objects.filter(due_on__isnull=False).only("pk", "received_at", "due_on"):
        events = [
            ClockEvent(ClockEventKind(e.kind), e.on, e.months)
            for e in ReportClockEvent.objects.filter(report_id=report.pk).order_by("on", "id")
        ]
        try:
            due = clock_state(
                report.received_at.astimezone(HCM).date(), events, days_off=off, recorded=len(events)
            ).due
        except DeadlineError:
            continue  # a history the clock refuses today: leave it as stored
        if due != report.due_on:
            CrimeReport.objects.filter(pk=report.pk).update(due_on=due)


class Migration(migrations.Migration):
    dependencies = [("records", "0006_lean_incident_indexes")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
