"""The API docs page (/api/docs): Swagger UI from our own vendored static files, inside the
application's layout (menu, language, footer). django-ninja's own page loads Swagger UI from a
CDN, which the content security policy blocks and an offline police network cannot reach."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase


class VendoredSwagger(DocsBase):
    settings = {"layout": "BaseLayout", "deepLinking": True, "docExpansion": "list"}

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        config = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(
            request,
            "web/api_docs.html",
            {"swagger_settings": config, "api": api, "active_nav": "api"},
        )
