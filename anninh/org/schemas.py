"""API schemas of the organisation app."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from anninh.geo.schemas import UnitRef

UnitKindLiteral = Literal["city", "department", "commune"]


class UnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    short_name: str
    kind: UnitKindLiteral
    parent_id: int | None
    parent_code: str | None
    commune_code: str | None = Field(description="NSO code of the unit's territory (commune police)")
    valid_from: dt.date
    valid_to: dt.date | None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_commune_code(obj) -> str | None:
        return obj.commune_id


class UnitDetailOut(UnitOut):
    active: bool = Field(description="Whether the unit is active today")
    parent: UnitRef | None
    children: list[UnitRef] = Field(description="Active units reporting to this one")
    member_count: int = Field(description="Active user accounts attached to the unit")

    @staticmethod
    def resolve_children(obj) -> list:
        return obj.children_list
