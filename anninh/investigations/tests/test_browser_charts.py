"""The timeline's chart of payments by day and the victims' map by commune of Hai Phong load in
the browser without a console error, and draw the figures the tables give."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.testing.browser import login
from anninh.testing.personas import PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SERIES_JS = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  // a map series lists every region of the map: count those given a value
  const given = (d) => Array.isArray(d) || (d && typeof d.value === 'number' && !isNaN(d.value));
  return chart ? chart.getOption().series.map((s) => s.data.filter(given).length) : null;
}"""


def test_the_timeline_chart_and_the_commune_map_load_without_console_errors(page):
    from anninh.investigations import services
    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.selectors import timeline_days
    from anninh.investigations.synthetic import synthetic_import

    me = make_user("dieutra_map", Role.INVESTIGATOR, unit_code="PC03", full_name="Đỗ Thị Hà")
    inv = services.investigation_create(
        actor=me, code="PC03-MAP", title="Sàn giả", kind="chuyen_an", unit=me.unit,
        opened_on=timezone.localdate(),
    )  # fmt: skip
    synthetic_import(actor=me, investigation=inv, victims=40, seed=1)
    run = analysis_run(actor=me, investigation=inv)
    communes = run.results["by_commune"]
    assert communes
    console: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console.append(msg.text))

    login(page, "dieutra_map", PASSWORD)
    page.goto(f"{page.base_url}/investigations/{inv.pk}/")
    expect(page.locator("[data-testid=commune-map] canvas").first).to_be_visible(timeout=20000)
    page.wait_for_function(f"() => ({SERIES_JS})('commune-map') !== null")
    assert page.evaluate(SERIES_JS, "commune-map") == [len(communes)]
    expect(page.locator("[data-testid=by-commune] tbody tr")).to_have_count(len(communes))

    page.goto(f"{page.base_url}/investigations/{inv.pk}/timeline/")
    expect(page.locator("[data-testid=timeline-chart] canvas").first).to_be_visible()
    days = len(timeline_days(viewer=me, investigation=inv))
    assert page.evaluate(SERIES_JS, "timeline-chart") == [days, days, days]
    expect(page.locator("[data-testid=timeline-days-table] tbody tr")).to_have_count(days)
    page.wait_for_load_state("networkidle")
    assert page.js_errors == [], page.js_errors
    assert console == [], console
