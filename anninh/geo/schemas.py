"""API schemas of the geography app."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field


class Point(Schema):
    lat: float
    lon: float


class CommuneOut(Schema):
    code: str = Field(description="5-digit NSO code")
    kind: Literal["phuong", "xa", "dac_khu"]
    name: str
    name_ascii: str
    former_province: str
    former_district: str = Field(description="Districts before 1 July 2025 (legacy)")
    area_km2: float
    population: int
    density: float | None = Field(description="People per km²")
    centroid: Point
    representative_point: Point = Field(description="A point guaranteed to lie inside the unit")
    bbox: list[float] = Field(description="[min_lon, min_lat, max_lon, max_lat]")

    @staticmethod
    def resolve_density(obj) -> float | None:
        return round(obj.density, 1) if obj.density is not None else None

    @staticmethod
    def resolve_centroid(obj) -> dict[str, float]:
        return {"lat": obj.centroid_lat, "lon": obj.centroid_lon}

    @staticmethod
    def resolve_representative_point(obj) -> dict[str, float]:
        return {"lat": obj.point_lat, "lon": obj.point_lon}

    @staticmethod
    def resolve_bbox(obj) -> list[float]:
        return [obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat]


class MultiPolygonGeometry(Schema):
    type: Literal["MultiPolygon"]
    coordinates: list[list[list[list[float]]]]


class UnitRef(Schema):
    id: int
    code: str
    name: str


class CommuneDetailOut(CommuneOut):
    boundary: MultiPolygonGeometry
    police_unit: UnitRef | None = Field(description="The active commune police unit of this commune")


class CommuneProperties(Schema):
    code: str
    name: str
    kind: Literal["phuong", "xa", "dac_khu"]
    population: int
    area: float = Field(description="km²")
    density: float | None = Field(description="People per km²")


class CommuneFeature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: MultiPolygonGeometry
    properties: CommuneProperties


class CommuneFeatureCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[CommuneFeature]


class LookupOut(Schema):
    code: str | None = Field(description="NSO code of the commune at the point, null outside the city")
    name: str | None
    lat: float
    lon: float
