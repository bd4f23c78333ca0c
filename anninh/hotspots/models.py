"""Stored hotspot forecasts. A forecast is about places and times only (grid cells over Hai
Phong for a window), never about people. Each one keeps the model name and version, its
parameters and a digest of its inputs, so it can be audited and reproduced later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

#: Who reads forecasts. Places are not personal data: departments (investigators) plan across
#: the city like city-wide roles; a commune police reads the cells of its own territory.
FORECAST_READERS = frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER})
FORECAST_CITY_WIDE = frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR})


class Horizon(models.TextChoices):
    WEEK = "week", _("Week")
    SHIFT = "shift", _("Shift")


class Forecast(models.Model):
    # What was forecast: "" offence group means every crime.
    offence_group = models.CharField(_("offence group"), max_length=20, blank=True, db_index=True)
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices, default=Horizon.WEEK)
    # Shift code ("" for a weekly forecast), e.g. "morning", "afternoon", "night".
    shift = models.CharField(_("shift"), max_length=20, blank=True)
    # The window forecast: [window_start, window_end), aware datetimes.
    window_start = models.DateTimeField(_("from"), db_index=True)
    window_end = models.DateTimeField(_("until"))
    # The model and everything needed to reproduce it.
    model_name = models.CharField(_("model"), max_length=60)
    model_version = models.CharField(_("model version"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    cell_metres = models.PositiveIntegerField(_("cell size (m)"))
    # Grid definition (projected metres, EPSG:3405 / VN-2000 UTM 48N or as the app decides;
    # stored so that cell indices can be turned back into squares).
    grid = models.JSONField(_("grid"), default=dict, blank=True)
    history_start = models.DateTimeField(_("history from"))
    history_end = models.DateTimeField(_("history until"))
    inputs_count = models.PositiveIntegerField(_("incidents used"), default=0)
    inputs_digest = models.CharField(_("inputs digest"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    # A forecast's header (window, model) is for every reader; its cells are placed by commune.
    need_to_know = ScopeRule(readers=FORECAST_READERS, city_wide=FORECAST_READERS)

    class Meta:
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        ordering = ["-window_start", "-id"]
        indexes = [
            models.Index(fields=["offence_group", "horizon", "window_start"], name="hotspots_fc_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.model_name} {self.window_start:%Y-%m-%d} {self.offence_group or '*'}"

    @property
    def first_day(self):
        from anninh.lib.dates import local_date

        return local_date(self.window_start)

    @property
    def last_day(self):
        """The last local day of the window (the window ends at the next midnight)."""
        import datetime as dt

        from anninh.lib.dates import local_date

        return local_date(self.window_end - dt.timedelta(microseconds=1))


class ForecastCell(models.Model):
    """One of the top-ranked cells of a forecast (not every cell of the city is stored)."""

    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="cells")
    rank = models.PositiveIntegerField(_("rank"))
    cell_index = models.PositiveIntegerField(_("cell"))
    commune = models.ForeignKey(
        "geo.Commune",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Centre of the square, WGS84.
    lat = models.FloatField()
    lon = models.FloatField()
    # Expected number of crimes in the window, with an uncertainty interval.
    expected = models.FloatField(_("expected crimes"))
    expected_low = models.FloatField(_("lower bound"))
    expected_high = models.FloatField(_("upper bound"))
    # Relative risk: the cell's expectation over the city's mean per cell.
    risk = models.FloatField(_("relative risk"))

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=FORECAST_READERS, city_wide=FORECAST_CITY_WIDE, communes=("commune",))

    class Meta:
        verbose_name = _("forecast cell")
        verbose_name_plural = _("forecast cells")
        ordering = ["forecast", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["forecast", "rank"], name="hotspots_cell_rank_unique"),
            models.UniqueConstraint(fields=["forecast", "cell_index"], name="hotspots_cell_index_unique"),
        ]
        indexes = [models.Index(fields=["forecast", "commune"], name="hotspots_cell_commune_idx")]

    def __str__(self) -> str:
        return f"{self.forecast_id}#{self.rank}"


class ReportCard(models.Model):
    """The deployed model backtested on the city's own recent weeks against the counts
    baseline: whether the forecast is worth following. Stored so a page view does not rerun it."""

    offence_group = models.CharField(_("offence group"), max_length=20, blank=True)
    as_of = models.DateField(_("as of"))  # the Monday after the last scored week
    weeks = models.PositiveSmallIntegerField(_("weeks scored"))
    model_name = models.CharField(_("model"), max_length=60)
    model_version = models.CharField(_("model version"), max_length=60)
    baseline_name = models.CharField(_("baseline"), max_length=60)
    cell_metres = models.PositiveIntegerField(_("cell size (m)"))
    inputs_count = models.PositiveIntegerField(_("incidents used"), default=0)
    inputs_digest = models.CharField(_("inputs digest"), max_length=64)
    # {"models": {name: {"0.01": {...}, "0.05": {...}}}, "difference": {"0.01": {...}, ...}}
    results = models.JSONField(_("results"), default=dict)
    verdict = models.CharField(_("verdict"), max_length=20)  # better | same | worse | too_few
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=FORECAST_READERS, city_wide=FORECAST_READERS)

    class Meta:
        verbose_name = _("accuracy report card")
        verbose_name_plural = _("accuracy report cards")
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"{self.model_version} {self.as_of} {self.offence_group or '*'}"
