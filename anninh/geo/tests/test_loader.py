"""The geography loader: all 114 units from the CSV, idempotent, clean geometry."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from io import StringIO

import pytest
import shapely
from django.core.management import call_command

from anninh.audit.models import AuditEvent
from anninh.geo import geometry
from anninh.geo.models import Commune, CommuneKind
from anninh.geo.services import load_communes

pytestmark = pytest.mark.django_db

# Overlap left between two stored units (m²): slivers of about a centimetre along borders
# from snapping coordinates to the 1e-7° grid. The source file's overlaps reach ~0.1 km².
OVERLAP_TOLERANCE_M2 = 50.0


def csv_rows() -> list[dict[str, str]]:
    with geometry.UNITS_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_fresh_database_has_every_unit_of_the_csv_with_its_type():
    rows = csv_rows()
    by_type = Counter(r["type"] for r in rows)
    assert len(rows) == 114
    assert by_type == {"phường": 45, "xã": 67, "đặc khu": 2}
    stored = Counter(Commune.objects.values_list("kind", flat=True))
    assert stored == {
        CommuneKind.WARD: by_type["phường"],
        CommuneKind.COMMUNE: by_type["xã"],
        CommuneKind.SPECIAL_ZONE: by_type["đặc khu"],
    }
    assert set(Commune.objects.values_list("code", flat=True)) == {r["nso_code"] for r in rows}


def test_stored_communes_carry_the_csv_facts_and_derived_keys():
    hong_bang = Commune.objects.get(code="11311")
    assert hong_bang.name == "Phường Hồng Bàng"
    assert hong_bang.kind == CommuneKind.WARD
    assert hong_bang.search_key == "phuong hong bang"
    assert hong_bang.former_province == "Hải Phòng"
    assert hong_bang.former_district == "Q. Hồng Bàng, Q. Ngô Quyền"
    assert hong_bang.population == 113200
    assert hong_bang.area_km2 == pytest.approx(12.11)
    assert hong_bang.min_lat < hong_bang.point_lat < hong_bang.max_lat
    assert hong_bang.min_lon < hong_bang.point_lon < hong_bang.max_lon
    assert Commune.objects.get(code="10705").former_province == "Hải Dương"


def test_loading_twice_updates_changed_values_in_place_and_never_duplicates():
    Commune.objects.filter(code="11311").update(population=1, name="Wrong name", search_key="wrong")
    first = load_communes()
    assert first.updated == ["11311"]
    assert first.created == []
    assert first.unchanged == 113
    second = load_communes()
    assert (second.created, second.updated, second.unchanged) == ([], [], 114)
    assert Commune.objects.count() == 114
    hong_bang = Commune.objects.get(code="11311")
    assert (hong_bang.population, hong_bang.name, hong_bang.search_key) == (
        113200,
        "Phường Hồng Bàng",
        "phuong hong bang",
    )


def test_the_loader_recreates_a_missing_unit_and_reports_unknown_ones_without_deleting():
    from anninh.org.models import Unit

    Unit.objects.filter(commune_id="11948").delete()
    Commune.objects.filter(code="11948").delete()
    extra = Commune.objects.get(code="11311")
    extra.code = "99999"
    extra.save(force_insert=True)
    result = load_communes()
    assert result.created == ["11948"]
    assert result.stale == ["99999"]
    assert Commune.objects.filter(code="99999").exists()
    assert Commune.objects.count() == 115


def test_the_command_shows_progress_and_audits_only_a_load_that_changed_something():
    out, err = StringIO(), StringIO()
    call_command("load_geography", stdout=out, stderr=err)
    assert "0 created, 0 updated, 114 unchanged" in out.getvalue()
    assert not AuditEvent.objects.filter(object_repr="load_geography").exists()

    Commune.objects.filter(code="11329").update(population=5)
    call_command("load_geography", stdout=out, stderr=err)
    assert "114/114" in err.getvalue()  # the progress bar
    event = AuditEvent.objects.get(object_repr="load_geography")
    assert event.action == "update"
    assert event.object_type == "geo.commune"
    assert event.extra["updated"] == 1
    assert set(event.extra["sources"]) == {"haiphong-units-2025.csv", "haiphong-wards-2025.json"}


def test_the_data_files_in_the_repository_match_the_checksums_in_sources_md():
    sources = (geometry.DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    sums = {name: digest for digest, name in re.findall(r"([0-9a-f]{64})\s+(\S+)", sources)}
    assert set(sums) == {"haiphong-units-2025.csv", "haiphong-wards-2025.json"}
    for name, digest in sums.items():
        assert hashlib.sha256((geometry.DATA_DIR / name).read_bytes()).hexdigest() == digest


def test_the_source_file_really_has_invalid_rings_and_overlaps_to_repair():
    # Guards the meaning of the next two tests: without repair they would fail.
    rings = geometry.read_rings()
    raw = {code: shapely.MultiPolygon([shapely.Polygon(r) for r in parts]) for code, parts in rings.items()}
    assert not all(g.is_valid for g in raw.values())
    a, b = shapely.make_valid(raw["11311"]), shapely.make_valid(raw["11617"])
    assert geometry.to_metres(a.intersection(b)).area > 10_000  # more than a hectare


def stored_shapes() -> dict[str, shapely.geometry.base.BaseGeometry]:
    return {code: shapely.geometry.shape(b) for code, b in Commune.objects.values_list("code", "boundary")}


def test_stored_boundaries_are_valid_non_empty_multipolygons():
    for code, geom in stored_shapes().items():
        assert geom.geom_type == "MultiPolygon", code
        assert geom.is_valid, code
        assert not geom.is_empty, code


def test_units_form_a_partition_overlapping_by_no_more_than_slivers():
    shapes = {code: geometry.to_metres(g) for code, g in stored_shapes().items()}
    codes = sorted(shapes)
    geoms = [shapes[c] for c in codes]
    tree = shapely.STRtree(geoms)
    pairs = tree.query(geoms, predicate="intersects")
    worst = 0.0
    for i, j in zip(*pairs, strict=True):
        if i < j:
            worst = max(worst, geoms[i].intersection(geoms[j]).area)
    assert worst < OVERLAP_TOLERANCE_M2


def test_overlap_removal_keeps_each_unit_close_to_its_source_area():
    rings = geometry.read_rings()
    for code, geom in stored_shapes().items():
        source = geometry.repair(rings[code])
        assert geom.area == pytest.approx(source.area, rel=0.02), code
