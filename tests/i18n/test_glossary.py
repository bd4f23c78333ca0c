"""The Vietnamese catalog follows the glossary in locale/GLOSSARY.md (issue 13, items 12-19):
one name for each legal term, no rendering a police officer would misread. The glossary's two
tables are the rules; these tests read them, so a new rule is a new row, not new code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "locale" / "GLOSSARY.md"
CATALOG = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


@dataclass(frozen=True)
class Term:
    english: str
    vietnamese: tuple[str, ...]
    pattern: re.Pattern


@dataclass(frozen=True)
class Forbidden:
    pattern: re.Pattern
    unless: re.Pattern | None
    instead: str


def _cells(line: str) -> list[str]:
    """The cells of one Markdown table row; `\\|` is a literal bar inside a cell."""
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [p.strip().replace("\\|", "|") for p in parts]


def _code(cell: str) -> str:
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


def _table(text: str, heading: str) -> list[list[str]]:
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [_cells(r) for r in rows[2:]]  # past the header and the rule


def load_glossary(path: Path = GLOSSARY) -> tuple[list[Term], list[Forbidden]]:
    text = path.read_text(encoding="utf-8")
    terms = [
        Term(
            english=r[0],
            vietnamese=tuple(v.strip() for v in r[1].split(" / ")),
            pattern=re.compile(_code(r[3]), re.I),
        )
        for r in _table(text, "Terms")
        if _code(r[3])
    ]
    forbidden = [
        Forbidden(
            pattern=re.compile(_code(r[0])),
            unless=re.compile(_code(r[1]), re.I) if _code(r[1]) else None,
            instead=r[2],
        )
        for r in _table(text, "Not these")
    ]
    return terms, forbidden


def _english(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}::{entry.msgid}" if entry.msgctxt else entry.msgid


def _vietnamese(entry: polib.POEntry) -> str:
    """The translation; every plural form of a plural entry."""
    return entry.msgstr or " ".join(entry.msgstr_plural.values())


def _entries(path: Path = CATALOG) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(path)) if not e.obsolete and e.msgid]


def term_violations(terms: list[Term], entries: list[polib.POEntry]) -> list[str]:
    problems = []
    for term in terms:
        for e in entries:
            if term.pattern.search(_english(e)) and not any(
                v.lower() in _vietnamese(e).lower() for v in term.vietnamese
            ):
                problems.append(
                    f"{term.english}: {e.msgid!r} -> {_vietnamese(e)!r} lacks {' / '.join(term.vietnamese)}"
                )
    return problems


def forbidden_violations(rules: list[Forbidden], entries: list[polib.POEntry]) -> list[str]:
    problems = []
    for rule in rules:
        for e in entries:
            text = _vietnamese(e)
            if rule.pattern.search(text) and not (rule.unless and rule.unless.search(_english(e))):
                problems.append(f"{rule.pattern.pattern!r} in {e.msgid!r} -> {text!r} (use: {rule.instead})")
    return problems


def test_the_glossary_has_both_tables_and_every_pattern_compiles():
    terms, forbidden = load_glossary()
    assert len(terms) >= 20
    assert len(forbidden) >= 15
    assert all(t.vietnamese and all(t.vietnamese) for t in terms)


def test_every_catalog_entry_uses_the_glossary_term_where_the_english_has_it():
    terms, _ = load_glossary()
    problems = term_violations(terms, _entries())
    assert not problems, "\n".join(problems)


def test_no_catalog_entry_uses_a_rendering_the_glossary_rules_out():
    _, forbidden = load_glossary()
    problems = forbidden_violations(forbidden, _entries())
    assert not problems, "\n".join(problems)


def test_each_glossary_term_is_exercised_by_some_catalog_entry():
    """A term whose pattern matches nothing checks nothing: a typo in a pattern would pass silently."""
    terms, _ = load_glossary()
    entries = _entries()
    unused = [t.english for t in terms if not any(t.pattern.search(_english(e)) for e in entries)]
    assert not unused, unused


# The checker itself: it must catch what the issue found (these are the renderings of issue 13).
OLD_RENDERINGS = [
    (None, "Crime reports", "Tin báo, tố giác"),
    (None, "Extend", "Gia hạn"),
    (None, "Open a case", "Lập vụ án"),
    (None, "All communes", "Tất cả xã/phường"),
    (None, "You may not do this.", "Bạn không có quyền thực hiện thao tác này."),
    (
        None,
        "Confidential: for police use. Every figure is counted.",
        "Tài liệu mật: chỉ dùng trong lực lượng Công an.",
    ),
    (None, "Investigator", "Điều tra viên"),
    (None, "Communes with a significant rise", "Xã, phường, đặc khu tăng đáng kể"),
    (None, "Expected crimes", "Số vụ dự kiến"),
    (None, "Unfounded", "Không có căn cứ"),
    (None, "Closed administratively", "Xử lý hành chính"),
    (None, "Case number", "Số vụ án"),
    ("report channel", "Received by", "Người tiếp nhận"),
    ("kind of place", "Online", "Trực tuyến"),
    ("interval", "[%(lo)s, %(hi)s]", "[%(lo)s, %(hi)s]"),
    (None, "Citizen ID (CCCD)", "Số CCCD"),
]


@pytest.mark.parametrize(("context", "msgid", "msgstr"), OLD_RENDERINGS)
def test_the_checker_refuses_each_rendering_the_review_found(context, msgid, msgstr):
    terms, forbidden = load_glossary()
    entry = polib.POEntry(msgctxt=context, msgid=msgid, msgstr=msgstr)
    assert term_violations(terms, [entry]) + forbidden_violations(forbidden, [entry])


def test_the_checker_accepts_the_procuracy_extension_and_the_kind_tin_bao():
    terms, forbidden = load_glossary()
    entries = [
        polib.POEntry(msgid="Extended by the procuracy", msgstr="Viện kiểm sát đã gia hạn"),
        polib.POEntry(msgid="Crime information (tin báo)", msgstr="Tin báo về tội phạm"),
        polib.POEntry(msgid="Extend", msgstr="Kéo dài thời hạn"),
    ]
    assert term_violations(terms, entries) + forbidden_violations(forbidden, entries) == []
