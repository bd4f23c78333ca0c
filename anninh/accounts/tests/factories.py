"""Reference data for account tests: the police units the geo/org data migrations load
(looked up), and extra units a test needs (created, with their commune if missing)."""

from __future__ import annotations

from anninh.geo.models import Commune
from anninh.org.models import Unit, UnitKind


def commune(code: str, name: str) -> Commune:
    found = Commune.objects.filter(pk=code).first()
    if found is not None:
        return found
    return Commune.objects.create(
        code=code,
        kind="phuong",
        name=name,
        name_ascii=name,
        search_key=name.lower(),
        sort_key=name.lower(),
        area_km2=1.0,
        population=1000,
        boundary={"type": "MultiPolygon", "coordinates": []},
        centroid_lat=20.86,
        centroid_lon=106.68,
        point_lat=20.86,
        point_lon=106.68,
        min_lat=20.85,
        min_lon=106.67,
        max_lat=20.87,
        max_lon=106.69,
    )


def unit(
    code: str, name: str, kind: str, *, parent: Unit | None = None, commune_code: str | None = None
) -> Unit:
    found = Unit.objects.active().filter(code=code).first()
    if found is not None:
        return found
    return Unit.objects.create(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        commune=commune(commune_code, f"Phường {commune_code}") if commune_code else None,
    )


def reference_units() -> dict[str, Unit]:
    """The units personas stand on: the city police, three departments, two commune police."""
    city = unit("CAHP", "Công an thành phố Hải Phòng", UnitKind.CITY)
    return {
        "CAHP": city,
        "PV01": unit("PV01", "Phòng Tham mưu", UnitKind.DEPARTMENT, parent=city),
        "PC02": unit("PC02", "Phòng Cảnh sát hình sự", UnitKind.DEPARTMENT, parent=city),
        "PC07": unit("PC07", "Phòng Cảnh sát PCCC và CNCH", UnitKind.DEPARTMENT, parent=city),
        "CA11311": unit(
            "CA11311", "Công an phường Hồng Bàng", UnitKind.COMMUNE, parent=city, commune_code="11311"
        ),
        "CA11329": unit(
            "CA11329", "Công an phường Ngô Quyền", UnitKind.COMMUNE, parent=city, commune_code="11329"
        ),
    }
