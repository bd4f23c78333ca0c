"""Service indicators of the requests, as the force reports them for PCI/DDCI (pure: no
Django import; anninh.requests.indicators loads the rows).

For each unit and period bucket (a month, or a report's week):

- **answered on time**: of the requests whose (first) answer was due in the bucket, the share
  answered by the end of that day. A request still unanswered counts as late once its due
  day has passed; one not yet due is left out (it may still be on time).
- **median answer time**: of the requests first answered in the bucket, the median time from
  receipt to the first answer, in days (hours / 24).
- **reopen rate**: of the requests first answered in the bucket, the share the reporter
  reopened (the answer did not solve it).
- **satisfaction**: of the ratings of requests first answered in the bucket, the share of
  4 or 5 out of 5 (and the mean).
Duplicates merged into another request are not requests of their own and are left out.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestFacts:
    unit_id: int
    received_at: dt.datetime
    first_due_on: dt.date
    first_answered_at: dt.datetime | None  # local time
    reopened: bool = False
    rating: int | None = None


@dataclass
class Indicator:
    due: int = 0
    on_time: int = 0
    answered: int = 0
    answer_days: list[float] = field(default_factory=list)
    reopened: int = 0
    rated: int = 0
    satisfied: int = 0
    rating_sum: int = 0
    #: Figures from other apps (e.g. dialogue recommendations resolved on time), by key:
    #: (done on time, due).
    extra: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.answer_days) if self.answer_days else None

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.answered if self.answered else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def mean_rating(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    def add(self, other: Indicator) -> None:
        self.due += other.due
        self.on_time += other.on_time
        self.answered += other.answered
        self.answer_days += other.answer_days
        self.reopened += other.reopened
        self.rated += other.rated
        self.satisfied += other.satisfied
        self.rating_sum += other.rating_sum
        for key, (done, due) in other.extra.items():
            old = self.extra.get(key, (0, 0))
            self.extra[key] = (old[0] + done, old[1] + due)


def compute(
    rows: Iterable[RequestFacts], bucket: Callable[[dt.date], Hashable | None], today: dt.date
) -> dict[tuple[int, Hashable], Indicator]:
    """Indicators by (unit, bucket). `bucket` maps a local date to its bucket, or None when
    the date is outside the periods asked for."""
    out: dict[tuple[int, Hashable], Indicator] = defaultdict(Indicator)
    for row in rows:
        answered_on = row.first_answered_at.date() if row.first_answered_at else None
        due_key = bucket(row.first_due_on)
        if due_key is not None:
            if answered_on is not None and answered_on <= row.first_due_on:
                cell = out[(row.unit_id, due_key)]
                cell.due += 1
                cell.on_time += 1
            elif answered_on is not None or row.first_due_on < today:
                out[(row.unit_id, due_key)].due += 1
        if answered_on is None:
            continue
        answer_key = bucket(answered_on)
        if answer_key is None:
            continue
        cell = out[(row.unit_id, answer_key)]
        cell.answered += 1
        cell.answer_days.append((row.first_answered_at - row.received_at).total_seconds() / 86400)
        if row.reopened:
            cell.reopened += 1
        if row.rating is not None:
            cell.rated += 1
            cell.rating_sum += row.rating
            if row.rating >= 4:
                cell.satisfied += 1
    return dict(out)


def month_bucket(first: dt.date, last: dt.date) -> Callable[[dt.date], str | None]:
    def key(day: dt.date) -> str | None:
        return f"{day:%Y-%m}" if first <= day <= last else None

    return key


def period_bucket(first: dt.date, last: dt.date) -> Callable[[dt.date], str | None]:
    def key(day: dt.date) -> str | None:
        return "period" if first <= day <= last else None

    return key
