"""Resolve and analyse an investigation: what the app runs after an import.

    manage.py investigation_analyse CODE [--method proportional|fifo] [--spark] [--as USERNAME]
        [--min-amount DONG]

Resolution (sure matches merged, uncertain pairs to the review queue), then the network analysis
(rings, roles, tracing, totals). ``--spark`` runs the resolution (Splink's Spark backend) and the
connected components (resolution clusters and rings) on Apache Spark: local mode here, a cluster
where ``SPARK_REMOTE``/``spark-submit`` provide one. The results equal the single-machine path's.
``--min-amount`` (đồng, default 0: exact): pieces of a victim's payment smaller than this are not
traced further; the money per cash-out point can then only be lower than the exact figure and
the run reports the untraced remainder (money lost does not change). Without --as the run is
the system's; with --as, that user must be on the investigation's team.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from anninh.investigations.analysis import resolve_and_analyse
from anninh.investigations.models import Investigation


def actor_of(username: str | None):
    if not username:
        return None
    actor = get_user_model().objects.filter(username=username, is_active=True).first()
    if actor is None:
        raise CommandError(f"no active user {username!r}")
    return actor


def analyse(
    command: BaseCommand, inv: Investigation, actor, *, method: str, spark: bool, min_amount: float = 0.0
) -> None:
    try:
        counts, run = resolve_and_analyse(
            actor=actor, investigation=inv, method=method, spark=spark, min_amount=min_amount
        )
    except PermissionDenied:
        raise CommandError(f"{actor} is not on the team of {inv.code}") from None
    totals = run.results.get("totals", {})
    command.stdout.write(
        f"resolution ({'spark' if spark else 'duckdb'}): merged {counts['merged']}, "
        f"to review {counts['queued']}, leads {counts['leads']}; "
        f"analysis: rings {len(run.results.get('rings', []))}, "
        f"victims {totals.get('distinct_victims', {}).get('value', 0)}, "
        f"lost {totals.get('lost', {}).get('value', 0):,.0f} {run.results.get('currency', '')}"
    )


class Command(BaseCommand):
    help = "Resolve and analyse an investigation (rings, roles, totals); --spark runs on Apache Spark."

    def add_arguments(self, parser):
        parser.add_argument("investigation", help="The investigation's code.")
        parser.add_argument("--method", choices=("proportional", "fifo"), default="proportional")
        parser.add_argument(
            "--spark", action="store_true", help="Resolution and connected components on Apache Spark."
        )
        parser.add_argument("--as", dest="as_user", help="Run as this user (a member of the team).")
        parser.add_argument(
            "--min-amount",
            type=float,
            default=0.0,
            help="Smallest piece of a payment to trace further, in đồng (default 0: every piece, exact).",
        )

    def handle(self, *args, **o):
        inv = Investigation.objects.unrestricted().filter(code=o["investigation"]).first()
        if inv is None:
            raise CommandError(f"no investigation {o['investigation']!r}")
        if o["min_amount"] < 0:
            raise CommandError("--min-amount cannot be negative")
        analyse(
            self,
            inv,
            actor_of(o["as_user"]),
            method=o["method"],
            spark=o["spark"],
            min_amount=o["min_amount"],
        )
