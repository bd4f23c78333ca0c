"""The 34 provinces (after 1 July 2025) from the vendored boundary file (data/SOURCES.md):
names to codes for imports, and their polygons for the victims' map."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from anninh.lib.text import fold

DATA = Path(__file__).resolve().parent / "data" / "vietnam-provinces-2025.json"


@cache
def provinces() -> list[dict]:
    with open(DATA, encoding="utf-8") as fh:
        return json.load(fh)["provinces"]


def _key(text: str) -> str:
    key = fold(text)
    key = re.sub(r"^(tinh|thanh pho|tp\.?)\s+", "", key).replace("tp.", "").strip()
    return " ".join(key.replace("-", " ").split())


@cache
def _index() -> dict[str, str]:
    out = {}
    for p in provinces():
        out[_key(p["name"])] = p["id"]
        out[p["id"]] = p["id"]
    out["ho chi minh"] = out.get("ho chi minh", "79")
    out["hcm"] = "79"
    out["tphcm"] = "79"
    return out


def province_code(text: str) -> str:
    """The NSO code of a province written by name (any accents, "Tỉnh"/"TP." prefixes) or by
    code; "" when it is not one of the 34."""
    if not text:
        return ""
    return _index().get(_key(text), "")


def names() -> dict[str, str]:
    return {p["id"]: p["name"] for p in provinces()}
