"""Template context shared by every page: navigation for the user's roles."""

from django.conf import settings

from anninh.web.navigation import menu_for


def shell(request):
    user = getattr(request, "user", None)
    menu = menu_for(user)
    return {
        "nav_menu": menu,
        "nav_items": [link for entry in menu for link in entry["items"]],
        "demo_mode": settings.DEMO,
        "user_role_labels": _role_labels(user),
        "tile_url": settings.ANNINH_TILE_URL,
        "tile_attribution": settings.ANNINH_TILE_ATTRIBUTION,
    }


def _role_labels(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    from anninh.accounts.roles import Role

    return [str(Role(r).label) for r in sorted(user.roles)]
