"""Checking the rows of an import: every cell of every row against the lookups loaded once
per import (communes, offences, units, choices), collecting every problem (anninh.records.
services.io_formats.Problem) instead of stopping at the first. No query runs per row; the
points' communes come from an in-memory index (PointIndex, which answers as
anninh.geo.lookup.commune_at does)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.utils import timezone

from anninh.lib.dates import HCM_TZ, format_date_vn, format_datetime_vn
from anninh.lib.errors import ValidationProblem
from anninh.records.models import Incident, IncidentKind, Offence, PremisesType, ReviewStatus
from anninh.records.permissions import acting_unit_ids, can_review
from anninh.records.services.io_export import FORMULA_START
from anninh.records.services.io_fast import fast_fold, fast_normalize
from anninh.records.services.io_formats import (
    FALSE_WORDS,
    KIND_ALIASES,
    MAX_LENGTH,
    REVIEW_ALIASES,
    TRUE_WORDS,
    Problem,
    parse_datetime_cell,
    parse_float_cell,
    parse_vnd_cell,
    problem,
    text_of,
)

EARLIEST = dt.datetime(1950, 1, 1, tzinfo=HCM_TZ)
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(slots=True)
class Row:
    row: int
    external_id: str | None
    number: str | None
    values: dict[str, Any]  # COMPARED fields (review_status None: keep / draft)
    offences: list[tuple[int, int | None, bool]]  # (offence id, clause, main)
    labels: list[str]  # "173/1 *", for the timeline snapshot
    bad: bool = False  # a problem was found: checked to the end, never written
    prepared: tuple | None = None  # what the writer precomputed for a new incident (io_import)

    def __reduce__(self):
        # Rows travel from the checking process in bulk: a plain tuple pickles twice as fast
        # as the dataclass's own state.
        fields = (
            self.row,
            self.external_id,
            self.number,
            self.values,
            self.offences,
            self.labels,
            self.bad,
            self.prepared,
        )
        return (Row, fields)


class Lookups:
    """Everything a row is checked against, loaded once per import."""

    def __init__(self, actor, *, system: bool):
        from anninh.geo.models import Commune
        from anninh.org.models import Unit

        self.communes = set(Commune.objects.values_list("code", flat=True))
        self.offences: dict[str, list[tuple[int, dt.date, dt.date | None, str]]] = {}
        for pk, article, valid_from, valid_to, group in Offence.objects.order_by(
            "article", "-valid_from"
        ).values_list("pk", "article", "valid_from", "valid_to", "group"):
            self.offences.setdefault(article.lower(), []).append((pk, valid_from, valid_to, group))
        active = list(Unit.objects.active().values_list("pk", "code"))
        self.unit_by_code = {code.upper(): pk for pk, code in active}
        self.unit_code = dict(Unit.objects.values_list("pk", "code"))
        self.acting = frozenset(pk for pk, _c in active) if system else acting_unit_ids(actor)
        # The incidents rows may match: those the importer sees (all, for the command line's
        # system user, who holds the database anyway).
        self.visible = Incident.objects.unrestricted() if system else Incident.objects.restrict(actor)
        self.system = system
        self.actor = actor
        self._review: dict[int, bool] = {}
        self.kinds = _choice_lookup(IncidentKind) | KIND_ALIASES
        self.premises = _choice_lookup(PremisesType)
        self.reviews = _choice_lookup(ReviewStatus) | REVIEW_ALIASES

    def may_review(self, unit_id: int) -> bool:
        if self.system:
            return True
        if unit_id not in self._review:
            self._review[unit_id] = can_review(self.actor, unit_id)
        return self._review[unit_id]

    def offence_on(self, article: str, on: dt.date) -> tuple[int, str] | bool | None:
        """(id, group) of the version in force on `on`; False when the article is unknown,
        None when it exists but was not in force."""
        versions = self.offences.get(article)
        if not versions:
            return False
        for pk, valid_from, valid_to, group in versions:
            if valid_from <= on and (valid_to is None or valid_to >= on):
                return pk, group
        return None


def _choice_lookup(choices) -> dict[str, str]:
    """Folded code, English label and Vietnamese label → code."""
    from django.utils import translation

    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[fast_fold(value)] = value
        for language in ("en", "vi"):
            with translation.override(language):
                table.setdefault(fast_fold(str(label)), value)
    return table


class PointIndex:
    """Which commune each of many points lies in, with the answer of
    anninh.geo.lookup.commune_at for every point.

    commune_at answers one point at a time (about 30 µs; half a minute for a million rows).
    Here the common case, a point inside a unit (commune_at's rule 1: the unit containing it,
    the lowest code on a shared border), is answered for a whole batch at once with one
    vectorised STRtree query on the same boundaries in the same projection; only the points
    inside no unit (gaps between simplified boundaries, or outside the city) go to
    commune_at itself, so its rules 2 and 3 stay in one place."""

    def __init__(self):
        from anninh.geo import geometry
        from anninh.geo.models import Commune

        rows = list(Commune.objects.order_by("code").values_list("code", "boundary"))
        self.codes = [code for code, _b in rows]
        self.tree = shapely.STRtree([geometry.to_metres(geometry.from_geojson(b)) for _c, b in rows])
        self.to_metres_xy = geometry.to_metres_xy

    def communes(self, points: list[tuple[float, float]]) -> list[str | None]:
        if not points:
            return []
        lat = np.fromiter((p[0] for p in points), dtype=float, count=len(points))
        lon = np.fromiter((p[1] for p in points), dtype=float, count=len(points))
        found = self.indices(lat, lon)
        return [self.codes[i] if i >= 0 else None for i in found.tolist()]

    def indices(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """The same answers for arrays of points, as indices into `codes` (-1: outside)."""
        from anninh.geo.lookup import commune_at

        if not len(lat):
            return np.empty(0, dtype=np.int64)
        x, y = self.to_metres_xy(lon, lat)  # to_metres' own arithmetic, without a transform
        projected = shapely.points(x, y)
        hits = self.tree.query(projected, predicate="intersects")
        none = len(self.codes)
        best = np.full(len(lat), none, dtype=np.int64)
        np.minimum.at(best, hits[0], hits[1])  # codes are sorted: the lowest index is the lowest code
        position = {code: i for i, code in enumerate(self.codes)}
        for i in np.flatnonzero(best == none).tolist():
            code = commune_at(float(lat[i]), float(lon[i]))
            best[i] = -1 if code is None else position[code]
        return best


def _normalise_article(text: str) -> str:
    from anninh.records.services.incidents import normalise_article

    return normalise_article(text)


class Checker:
    """Checks one row at a time; problems go to `problems`."""

    def __init__(
        self, lookups: Lookups, columns: dict[str, int], names: dict[int, str], default_unit_id: int
    ):
        self.look = lookups
        self.columns = columns
        self.names = names  # column index → the file's column name
        self.default_unit_id = default_unit_id
        self.now = timezone.now()
        self.problems: list[Problem] = []
        self.points: PointIndex | None = None  # built on the first point
        self.prepare = None  # the writer's hook, run on each good row where it is checked
        self.article_cache: dict[str, list[tuple[str, int | None]] | Problem] = {}

    def _cells(self, cells: list[Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The row's mapped cells as read ({field: value}, typed for XLSX) and as text."""
        n = len(cells)
        raw = {name: cells[i] if i < n else None for name, i in self.columns.items()}
        text = {name: v.strip() if v.__class__ is str else text_of(v) for name, v in raw.items()}
        return raw, text

    def bad(self, code: str, row: int, name: str, value: Any = "", **params: Any) -> None:
        column = self.names.get(self.columns.get(name, -1), name)
        self.problems.append(problem(code, row=row, column=column, value=text_of(value), **params))

    def _text(self, text: dict[str, str], name: str, row: int, *, normalise: bool = True) -> str | None:
        raw = text.get(name, "")
        if not raw:
            return raw
        if raw[:1] == "'" and raw[1:2] in FORMULA_START and raw[1:2]:
            raw = raw[1:]  # the apostrophe our export puts before text a spreadsheet would run
        if "\x00" in raw:
            raw = raw.replace("\x00", "")
        value = fast_normalize(raw) if normalise else raw.strip()
        limit = MAX_LENGTH.get(name)
        if limit and len(value) > limit:
            self.bad("row.too_long", row, name, value[:60] + "…", max=limit)
            return None
        return value

    def _when(
        self, cells: dict[str, Any], name: str, row: int, *, required: bool
    ) -> dt.datetime | bool | None:
        raw = cells.get(name)
        if raw is None or (raw.__class__ is str and not raw.strip()):
            if required:
                self.bad("date.required", row, name)
                return False
            return None
        try:
            value = parse_datetime_cell(raw)
        except ValidationProblem as exc:
            self.bad(
                exc.code if exc.code in ("date.invalid", "date.required") else "date.format", row, name, raw
            )
            return False
        if value < EARLIEST:
            self.bad("date.too_early", row, name, raw)
            return False
        if value > self.now + CLOCK_SKEW:
            self.bad("date.future", row, name, raw)
            return False
        return value

    def _articles(self, text: str) -> list[tuple[str, int | None]] | Problem:
        cached = self.article_cache.get(text)
        if cached is not None:
            return cached
        out: list[tuple[str, int | None]] = []
        result: list[tuple[str, int | None]] | Problem = out
        for part in text.replace(",", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            article_text, _sep, clause_text = part.partition("/")
            article = _normalise_article(article_text)
            clause = None
            if clause_text.strip():
                if not clause_text.strip().isdigit() or not 1 <= int(clause_text) <= 10:
                    result = problem("article.clause", value=part)
                    break
                clause = int(clause_text)
            if article not in self.look.offences:
                result = problem("article.unknown", value=part, article=article[:10] or part[:10])
                break
            if any(a == article for a, _c in out):
                result = problem("article.duplicate", value=part)
                break
            out.append((article, clause))
        if len(self.article_cache) < 10000:
            self.article_cache[text] = result
        return result

    def check(self, row: int, cells: list[Any]) -> Row:
        look = self.look
        before = len(self.problems)
        raw, text = self._cells(cells)

        external_id = self._text(text, "external_id", row, normalise=False) or None
        number = self._text(text, "number", row, normalise=False) or None
        if external_id is None and number is None:
            self.bad("row.key_required", row, "external_id" if "external_id" in self.columns else "number")

        kind_raw = text.get("kind", "")
        kind = look.kinds.get(fast_fold(kind_raw))
        if kind is None:
            self.bad("kind.unknown", row, "kind", kind_raw)

        occurred_from = self._when(raw, "occurred_from", row, required=True)
        occurred_to = self._when(raw, "occurred_to", row, required=False)
        reported_at = self._when(raw, "reported_at", row, required=True)
        if (
            isinstance(occurred_from, dt.datetime)
            and isinstance(occurred_to, dt.datetime)
            and occurred_to < occurred_from
        ):
            self.bad("date.window", row, "occurred_to", raw.get("occurred_to"))
        if isinstance(occurred_from, dt.datetime) and isinstance(reported_at, dt.datetime):
            if occurred_from > reported_at:
                self.bad(
                    "date.after_reported",
                    row,
                    "occurred_from",
                    raw.get("occurred_from"),
                    reported=format_datetime_vn(reported_at),
                )
            elif isinstance(occurred_to, dt.datetime) and occurred_to > reported_at:
                self.bad(
                    "date.after_reported",
                    row,
                    "occurred_to",
                    raw.get("occurred_to"),
                    reported=format_datetime_vn(reported_at),
                )

        # Place: a point decides the commune (resolved per batch, see _resolve_points).
        lat_raw, lon_raw = raw.get("lat"), raw.get("lon")
        lat = lon = None
        has_lat, has_lon = text.get("lat", "") != "", text.get("lon", "") != ""
        commune = None
        if has_lat != has_lon:
            self.bad("point.half", row, "lat" if has_lat else "lon", lat_raw if has_lat else lon_raw)
        elif has_lat:
            try:
                lat, lon = parse_float_cell(lat_raw), parse_float_cell(lon_raw)
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError("range")
            except ValueError:
                self.bad("point.invalid", row, "lat", f"{text.get('lat', '')}, {text.get('lon', '')}")
                lat = lon = None
        else:
            code = text.get("commune_code", "")
            if not code:
                self.bad("commune.required", row, "commune_code")
            elif code.zfill(5) not in look.communes:
                self.bad("commune.unknown", row, "commune_code", code)
            else:
                commune = code.zfill(5)

        premises_raw = text.get("premises", "")
        premises = look.premises.get(fast_fold(premises_raw)) if premises_raw else PremisesType.OTHER
        if premises is None:
            self.bad("premises.unknown", row, "premises", premises_raw)

        unit_raw = text.get("unit_code", "")
        unit_id = self.default_unit_id
        if unit_raw:
            unit_id = look.unit_by_code.get(unit_raw.upper())
            if unit_id is None:
                self.bad("unit.unknown", row, "unit_code", unit_raw)
            elif unit_id not in look.acting:
                self.bad("unit.refused", row, "unit_code", unit_raw)

        review_raw = text.get("review_status", "")
        review = None
        if review_raw:
            review = look.reviews.get(fast_fold(review_raw))
            if review is None:
                self.bad("review.unknown", row, "review_status", review_raw)
            elif (
                review in (ReviewStatus.APPROVED, ReviewStatus.RETURNED)
                and unit_id
                and not look.may_review(unit_id)
            ):
                self.bad("review.refused", row, "review_status", review_raw)

        synthetic_raw = text.get("synthetic", "")
        synthetic = False
        if synthetic_raw:
            folded = fast_fold(synthetic_raw)
            if folded in TRUE_WORDS:
                synthetic = True
            elif folded not in FALSE_WORDS:
                self.bad("bool.invalid", row, "synthetic", synthetic_raw)

        losses = 0
        losses_raw = raw.get("losses_vnd")
        if text.get("losses_vnd"):
            try:
                losses = parse_vnd_cell(losses_raw)
            except ValidationProblem as exc:
                self.bad(exc.code, row, "losses_vnd", losses_raw)

        offences: list[tuple[int, int | None, bool]] = []
        labels: list[str] = []
        group = ""
        articles_raw = text.get("articles", "")
        if articles_raw:
            parsed = self._articles(articles_raw)
            if isinstance(parsed, Problem):
                self.bad(parsed.code, row, "articles", parsed.value, **dict(parsed.params))
            elif isinstance(occurred_from, dt.datetime):
                on = occurred_from.astimezone(HCM_TZ).date()
                for i, (article, clause) in enumerate(parsed):
                    found = look.offence_on(article, on)
                    if not found:
                        self.bad(
                            "article.not_in_force",
                            row,
                            "articles",
                            articles_raw,
                            article=article,
                            date=format_date_vn(on),
                        )
                        break
                    offences.append((found[0], clause, i == 0))
                    labels.append(article + (f"/{clause}" if clause else "") + (" *" if i == 0 else ""))
                    if i == 0:
                        group = found[1]
        elif kind == IncidentKind.CRIME:
            self.bad("article.required", row, "articles")

        address = self._text(text, "address", row)
        narrative = self._text(text, "narrative", row)
        return Row(
            row=row,
            external_id=external_id,
            number=number,
            values={
                "kind": kind,
                "occurred_from": occurred_from,
                "occurred_to": occurred_to,
                "reported_at": reported_at,
                "commune_id": commune,
                "address": address,
                "lat": lat,
                "lon": lon,
                "premises": premises,
                "narrative": narrative,
                "responsible_unit_id": unit_id,
                "offence_group": group,
                "losses_vnd": losses,
                "review_status": review,
                "is_synthetic": synthetic,
            },
            offences=offences,
            labels=labels,
            bad=len(self.problems) > before,
        )
