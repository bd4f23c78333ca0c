"""The public transparency page (anonymous, no script, no personal data)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from anninh import pagecache
from anninh.public import selectors
from anninh.public.transparency import FIGURES, last_complete_month, transparency

#: The figures change only as late records of past months come in: ten minutes is fresh enough,
#: and spares each visitor the suppression run (a few hundred milliseconds at worst).
CACHE_SECONDS = 600


def _language(request: HttpRequest) -> str:
    return "en" if (request.LANGUAGE_CODE or "vi").startswith("en") else "vi"


@pagecache.public_page(pagecache.WARNINGS)  # it lists the warnings in force
@require_safe
def transparency_page(request: HttpRequest) -> HttpResponse:
    figure = request.GET.get("figure", "crime")
    figure = figure if figure in FIGURES else "crime"
    return render(
        request,
        "public/transparency.html",
        {
            "t": cache.get_or_set(
                f"transparency:{figure}:{last_complete_month():%Y-%m}",
                lambda: transparency(figure=figure),
                CACHE_SECONDS,
            ),
            "figure": figure,
            "warnings": list(selectors.public_warning_list()[:10]),
            "lang": _language(request),
        },
    )
