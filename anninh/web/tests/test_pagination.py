"""The previous/next partial every register list shares: the links keep the list's filters,
swap the right element with htmx, and still work without JavaScript."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _render(page_number: int, query: str = "") -> str:
    page = Paginator(list(range(120)), 50).get_page(page_number)
    return render_to_string("web/_pagination.html", {"page": page, "query": query, "target": "#case-results"})


def test_the_middle_page_links_both_ways_and_keeps_the_filters():
    html = _render(2, "kind=theft&commune=31190")
    assert 'href="?kind=theft&amp;commune=31190&amp;page=1"' in html
    assert 'hx-get="?kind=theft&amp;commune=31190&amp;page=3"' in html
    assert 'hx-target="#case-results"' in html
    assert "Page 2 of 3" in html


def test_without_filters_the_links_carry_only_the_page():
    html = _render(1)
    assert 'href="?page=2"' in html
    assert "Previous" not in html


def test_a_single_page_shows_no_navigation():
    page = Paginator(list(range(10)), 50).get_page(1)
    assert "pagination" not in render_to_string(
        "web/_pagination.html", {"page": page, "query": "", "target": "#x"}
    )
