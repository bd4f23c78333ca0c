"""The sweep's text rules, without a browser (the sweep itself is tests/browser/test_sweep.py)."""

import cssselect2
import pytest
import tinyhtml5

from anninh.testing.sweep import NOT_READ_FOR_ENGLISH, OTHER_LANGUAGE, bare_numbers, english_words


def test_counts_without_separators_are_found():
    assert bare_numbers("Có 12345 vụ việc trong 2026") == ["12345"]


def test_years_phone_numbers_and_formatted_counts_are_not_findings():
    assert bare_numbers("Năm 2026, gọi 0912345678; 12.345 vụ; 1,5 tỷ") == []


def test_a_number_written_after_a_hash_is_an_identifier():
    # The admin titles a person "Person #81171" (it never shows a name): an id, not a count.
    assert bare_numbers("Người #81171 · Hồ sơ #2345") == []
    assert bare_numbers("#81171 và 81171 vụ") == ["81171"]


def read_for_english(html: str) -> str:
    """The text the sweep reads for English in a Vietnamese page: the page without what
    NOT_READ_FOR_ENGLISH selects (the same selector the browser applies; here through
    cssselect2 on the parsed page)."""
    root = tinyhtml5.parse(html)
    wrapper = cssselect2.ElementWrapper.from_html_root(root)
    for match in list(wrapper.query_all(NOT_READ_FOR_ENGLISH)):
        parent = match.parent.etree_element
        element = match.etree_element
        # Keep the text that follows the removed element (ElementTree stores it on the element).
        if element.tail:
            siblings = list(parent)
            index = siblings.index(element)
            if index:
                siblings[index - 1].tail = (siblings[index - 1].tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)
    return " ".join(root.itertext())


PAGE = """<html lang="vi"><body><dl>
<dt>Tên tiếng Anh</dt><dd lang="en">Criminal Police Division</dd>
<dt>Đơn vị</dt><dd>{unit}</dd></dl></body></html>"""


def test_text_marked_as_english_is_data_not_an_untranslated_string():
    html = PAGE.format(unit="Phòng Cảnh sát hình sự")
    assert english_words(read_for_english(html)) == []
    assert "Phòng Cảnh sát hình sự" in read_for_english(html)


def test_english_outside_the_marked_element_is_still_found():
    html = PAGE.format(unit="Criminal Police Division")
    assert english_words(read_for_english(html)) == ["Police"]
    # Without its lang mark the English name is a finding too.
    unmarked = html.replace(' lang="en"', "")
    assert english_words(read_for_english(unmarked)) == ["Police"]


@pytest.mark.parametrize(
    ("attribute", "skipped"),
    [
        ('lang="en"', True),
        ('lang="en-GB"', True),
        ('lang="fr"', True),
        ('lang="vi"', False),
        ('lang="vi-VN"', False),
        ('lang=""', False),  # an unknown language: read, as the page's own
        ("", False),
    ],
)
def test_only_elements_marked_with_a_language_other_than_vietnamese_are_skipped(attribute, skipped):
    html = f"<html lang='vi'><body><p>Trang <span {attribute}>Police unit</span></p></body></html>"
    found = english_words(read_for_english(html))
    assert found == ([] if skipped else ["Police", "unit"])


def test_a_vietnamese_phrase_inside_an_english_element_is_skipped_with_it():
    # The rule removes the marked element whole: what is inside it is in its language.
    html = '<body><p lang="en">Ward Police <b lang="vi">Công an</b> units</p><p>Trang chủ</p></body>'
    assert english_words(read_for_english(html)) == []
    assert OTHER_LANGUAGE in NOT_READ_FOR_ENGLISH
