"""Folded search and Vietnamese order of the commune list."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anninh.geo.collation import bare_name, name_sort_key, sort_key_string
from anninh.geo.models import Commune
from anninh.geo.selectors import commune_list
from anninh.lib.text import vi_sort_key


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["hong bang", "Hồng Bàng", "HONG BANG", "  bang   hong "])
def test_folded_search_finds_hong_bang_with_or_without_diacritics(query):
    found = [c.code for c in commune_list(viewer=None, q=query)]
    assert found == ["11311"]


@pytest.mark.django_db
def test_search_by_the_start_of_an_nso_code():
    codes = [c.code for c in commune_list(viewer=None, q="1131")]
    assert "11311" in codes
    assert all(code.startswith("1131") for code in codes)


@pytest.mark.django_db
def test_search_with_no_match_returns_nothing():
    assert commune_list(viewer=None, q="khong co xa nay") == []


@pytest.mark.django_db
def test_the_list_is_in_vietnamese_order_of_the_proper_names():
    names = [bare_name(c.name) for c in commune_list(viewer=None)]
    assert len(names) == 114
    first_letters = [n[0] for n in names]
    # Đ comes right after D (code-point order would put it after Z)
    last_d = max(i for i, letter in enumerate(first_letters) if letter == "D")
    first_dd = min(i for i, letter in enumerate(first_letters) if letter == "Đ")
    first_g = min(i for i, letter in enumerate(first_letters) if letter == "G")
    assert last_d < first_dd < first_g
    assert names == sorted(names, key=vi_sort_key)


@pytest.mark.django_db
def test_the_database_orders_sort_keys_as_python_orders_vietnamese_names():
    by_db = list(Commune.objects.order_by("sort_key", "code").values_list("name", flat=True))
    by_python = sorted(by_db, key=lambda n: vi_sort_key(f"{bare_name(n)} {n}"))
    assert by_db == by_python


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "field", "descending"),
    [("population", "population", False), ("-population", "population", True), ("-area", "area_km2", True)],
)
def test_the_list_sorts_by_numbers_both_ways(sort, field, descending):
    values = [getattr(c, field) for c in commune_list(viewer=None, sort=sort)]
    assert values == sorted(values, reverse=descending)


@pytest.mark.django_db
def test_the_list_sorts_by_density():
    densities = [c.density for c in commune_list(viewer=None, sort="-density")]
    assert densities == sorted(densities, reverse=True)
    assert densities[0] > 10_000


def test_bare_names_drop_the_type_words():
    assert bare_name("Công an phường Hồng Bàng") == "Hồng Bàng"
    assert bare_name("Đặc khu Cát Hải") == "Cát Hải"
    assert bare_name("Xã") == "Xã"
    assert name_sort_key("Xã An Lão") < name_sort_key("Phường Bạch Đằng")


VIETNAMESE = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ AĐ -1",
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(VIETNAMESE, min_size=2, max_size=6))
def test_the_string_sort_key_orders_like_vi_sort_key(names):
    def first_three(n):
        return vi_sort_key(n)[:3]

    assert [first_three(n) for n in sorted(names, key=sort_key_string)] == sorted(
        first_three(n) for n in names
    )


@given(VIETNAMESE)
def test_the_string_sort_key_uses_only_hex_digits(name):
    key = sort_key_string(name)
    assert set(key) <= set("0123456789abcdef")
