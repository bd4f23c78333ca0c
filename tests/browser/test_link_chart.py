"""The link chart of an investigation, driven with the mouse: clicking a node on the canvas
expands its neighbourhood, "Pin / unpin" fixes it where it stands, "Hide" takes it off the
chart and "Show hidden" puts it back."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.testing.browser import login
from anninh.testing.personas import PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

#: The chart's series as drawn: each node's name, whether it is fixed, and its pixel position.
NODES_JS = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('link-chart'));
  const series = chart.getModel().getSeriesByIndex(0);
  const data = series.getData();
  const out = {};
  for (let i = 0; i < data.count(); i++) {
    const item = data.getRawDataItem(i);
    const xy = chart.convertToPixel({seriesIndex: 0}, data.getItemLayout(i));
    out[item.name] = {fixed: !!item.fixed, x: xy[0], y: xy[1]};
  }
  return out;
}"""


def _chain(inv):
    """A victim → the collector account she paid → a mule account → a wallet."""
    from anninh.investigations.models import Entity, Link

    def entity(kind, key, label):
        return Entity.objects.create(investigation=inv, kind=kind, key=key, label=label)

    victim = entity("person", "cccd:031190000001", "Nguyễn Thị Lan")
    collector = entity("bank_account", "VCB:0011000000001", "TK thu gom VCB 0011000000001")
    mule = entity("bank_account", "MB:0900000000002", "TK trung gian MB 0900000000002")
    wallet = entity("wallet", "TRON:TXyz0000000000000000000000000001", "Ví TRON TXyz…0001")
    when = timezone.now()
    for n, (kind, s, t) in enumerate(
        [
            ("reported_by", collector, victim),
            ("payment", victim, collector),
            ("payment", collector, mule),
            ("payment", mule, wallet),
        ]
    ):
        Link.objects.create(
            investigation=inv, kind=kind, source=s, target=t, fingerprint=f"chain-{n}",
            amount=50_000_000 if kind == "payment" else None, currency="VND" if kind == "payment" else "",
            occurred_at=when,
        )  # fmt: skip
    return victim, collector, mule, wallet


def _click_node(page, name: str) -> None:
    """Click a node where the force layout has put it (it may still be settling: try again)."""
    box = page.locator("[data-testid=link-chart]").bounding_box()
    for _ in range(20):
        page.wait_for_timeout(400)
        node = page.evaluate(NODES_JS)[name]
        page.mouse.click(box["x"] + node["x"], box["y"] + node["y"])
        if page.locator("#chart-selected").text_content() == name:
            return
    raise AssertionError(f"could not click the node {name!r}")


def test_expand_pin_and_hide_on_the_link_chart(page):
    from anninh.investigations import services

    me = make_user("dieutra_chart", Role.INVESTIGATOR, unit_code="PC03", full_name="Phạm Văn Đức")
    inv = services.investigation_create(
        actor=me, code="PC03-CHART", title="Sàn giả", kind="chuyen_an", unit=me.unit,
        opened_on=timezone.localdate(),
    )  # fmt: skip
    victim, collector, mule, wallet = _chain(inv)

    login(page, "dieutra_chart", PASSWORD)
    page.goto(f"{page.base_url}/investigations/{inv.pk}/chart/?entity={victim.pk}&depth=1")
    expect(page.locator("[data-testid=link-chart] canvas").first).to_be_visible()
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('link-chart'))"
    )
    assert set(page.evaluate(NODES_JS)) == {victim.label, collector.label}

    # Expand: clicking the collector's node draws its neighbours (the mule account).
    _click_node(page, collector.label)
    page.wait_for_function(f"() => Object.keys(({NODES_JS})()).length === 3")
    assert set(page.evaluate(NODES_JS)) == {victim.label, collector.label, mule.label}
    # ... and expanding the mule reaches the wallet the money was bought into.
    _click_node(page, mule.label)
    page.wait_for_function(f"() => Object.keys(({NODES_JS})()).length === 4")
    assert wallet.label in page.evaluate(NODES_JS)

    # Pin: the selected node is fixed where it stands; pinning again frees it.
    page.locator("#chart-pin").click()
    nodes = page.evaluate(NODES_JS)
    assert nodes[mule.label]["fixed"] and not nodes[collector.label]["fixed"]
    pinned_at = (nodes[mule.label]["x"], nodes[mule.label]["y"])
    page.wait_for_timeout(800)  # the others keep moving; the pinned node does not
    again = page.evaluate(NODES_JS)[mule.label]
    assert abs(again["x"] - pinned_at[0]) < 2 and abs(again["y"] - pinned_at[1]) < 2
    page.locator("#chart-pin").click()
    assert not page.evaluate(NODES_JS)[mule.label]["fixed"]

    # Hide: the selected node leaves the chart (with its links); "Show hidden" brings it back.
    page.locator("#chart-hide").click()
    assert mule.label not in page.evaluate(NODES_JS)
    assert len(page.evaluate(NODES_JS)) == 3
    page.locator("#chart-show-all").click()
    assert mule.label in page.evaluate(NODES_JS)
    assert page.js_errors == [], page.js_errors
