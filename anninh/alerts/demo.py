"""Demo data of the early warning: the demo commander and the Hồng Bàng officer subscribed
(with an e-mail address for the console digest), then the rules run once on the demo's
records. Nothing when synthetic alerts exist already."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from anninh.alerts import services
from anninh.alerts.models import Alert, Subscription


def alerts_demo_seed(progress=None) -> dict:
    if Alert.objects.unrestricted().filter(is_synthetic=True).exists():
        return {"skipped": True}
    User = get_user_model()
    for username in ("commander", "officer.hongbang"):
        user = User.objects.filter(username=username, is_demo=True).first()
        if user is None or Subscription.objects.unrestricted().filter(user=user).exists():
            continue
        if not user.email:
            user.email = f"{username}@demo.anninh.invalid"
            user.save(update_fields=["email"])
        services.subscription_create(actor=user)
    result = services.alerts_run(now=timezone.now(), is_synthetic=True)
    if progress:
        progress(f"alerts: {len(result.raised)} raised, {result.delivered} delivered")
    return {"raised": len(result.raised), "delivered": result.delivered}
