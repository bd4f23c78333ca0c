"""Numbers in the analysis tools' sentences follow the page's language (issue #13 item 4):
"12.885 vụ việc", "5,8 lần", "p = 0,010" in Vietnamese; "12,885", "5.8", "p = 0.010" in English."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from django.utils import translation

from anninh.compstat import analysis
from anninh.compstat.analysis import _band_labels, _summary


def fake_result(ratio: float, p: float):
    sig = np.array([[True]])
    return SimpleNamespace(significant=lambda: sig, ratio=np.array([[ratio]]), p_value=np.array([[p]]))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("vi", ["0–1.500 m", "1.500–3.000 m"]), ("en", ["0–1,500 m", "1,500–3,000 m"])],
)
def test_band_labels_group_thousands(lang, expected):
    with translation.override(lang):
        assert _band_labels(np.array([0.0, 1500.0, 3000.0]), "m") == expected


def test_the_summary_sentence_in_english():
    with translation.override("en"):
        text = _summary(fake_result(5.8123, 0.0101), np.array([0, 1200.0]), np.array([0, 7.0]))
    assert "within 1,200 m and 7 days" in text
    assert "5.8 times" in text and "(p = 0.010)" in text


def test_the_summary_sentence_in_vietnamese():
    with translation.override("vi"):
        text = _summary(fake_result(5.8123, 0.0004), np.array([0, 1200.0]), np.array([0, 7.0]))
    assert "1.200" in text and "5,8" in text and "p < 0,001" in text
    assert "5.8" not in text and "0.001" not in text


@pytest.mark.django_db
def test_too_many_incidents_is_said_with_grouped_digits(monkeypatch, personas):
    from anninh.records.selectors.incidents import IncidentFilters

    monkeypatch.setattr(analysis, "incident_list", lambda **kw: SimpleNamespace(order_by=lambda: FakeQS()))
    with translation.override("vi"), pytest.raises(analysis.AnalysisError) as err:
        analysis.near_repeat(viewer=personas["analyst"], filters=IncidentFilters())
    assert "20.001" in str(err.value)
    assert f"{analysis.MAX_KNOX_EVENTS:,}".replace(",", ".") in str(err.value)


class FakeQS:
    def count(self):
        return 4 * analysis.MAX_KNOX_EVENTS + 1
