"""Background tasks of patrol planning (django-tasks; the immediate backend runs them inline in
demo and tests)."""

from django_tasks import task


@task()
def week_forecast_task(actor_id: int, week_first: str, offence_group: str = "") -> dict:
    """Make the weekly forecast a planner asked for on the planning page, through the
    forecasting service (which checks the actor and writes the audit row)."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from anninh.compstat.periods import Period
    from anninh.hotspots import services as forecasts

    actor = get_user_model().objects.get(pk=actor_id)
    first = dt.date.fromisoformat(week_first)
    week = Period("week", first, first + dt.timedelta(days=6))
    try:
        forecast, created = forecasts.forecast_create(actor=actor, week=week, offence_group=offence_group)
    except forecasts.ForecastError as exc:
        return {"error": str(exc)}
    return {"forecast": forecast.pk, "created": created}
