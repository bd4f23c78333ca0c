"""The HTTP API (django-ninja): one router per app, mounted under /api/.

Every endpoint authenticates by session (with CSRF) or by a personal API token
(`Authorization: Bearer <token>`), and reads through the same selectors as the pages.
"""

import json
from typing import Any

from django.db import InterfaceError, OperationalError
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.parser import Parser

from anninh.accounts.api import router as accounts_router
from anninh.accounts.api_auth import api_auth, require_api_caller
from anninh.accounts.api_schemas import validation_error_items
from anninh.alerts.api import router as alerts_router
from anninh.audit.api import router as audit_router
from anninh.campaigns.api import router as campaigns_router
from anninh.civildefence.api import router as civildefence_router
from anninh.compstat.api import router as compstat_router
from anninh.enforcement.api import router as enforcement_router
from anninh.events.api import router as events_router
from anninh.field.api import router as field_router
from anninh.geo.api import router as geo_router
from anninh.hotspots.api import router as hotspots_router
from anninh.investigations.api import router as investigations_router
from anninh.org.api import router as org_router
from anninh.patrols.api import router as patrols_router
from anninh.records.api import router as records_router
from anninh.reports.api import router as reports_router
from anninh.web.api_docs import VendoredSwagger
from anninh.web.busy import api_exception_handler


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    return value


class NulFreeParser(Parser):
    """JSON bodies without NUL characters (PostgreSQL refuses them in text; see
    anninh.web.middleware.StripNulMiddleware for query strings and forms)."""

    def parse_body(self, request):
        return _strip_nul(json.loads(request.body))


api = NinjaAPI(
    parser=NulFreeParser(),
    title="anninh API",
    version="1",
    description="Security-and-order operations platform for Hai Phong City Police.",
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    docs=VendoredSwagger(),  # Swagger UI from our own static files (offline, under the CSP)
    docs_decorator=require_api_caller,  # the schema and docs: signed-in users and tokens only
)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """Every request validation error as the documented 422 (ValidationErrorOut)."""
    return api.create_response(request, {"detail": validation_error_items(exc.errors)}, status=422)


api.add_router("/accounts/", accounts_router, tags=["accounts"])
api.add_router("/geo/", geo_router, tags=["geography"])
api.add_router("/org/", org_router, tags=["organisation"])
api.add_router("/audit/", audit_router, tags=["audit"])
api.add_router("/records/", records_router, tags=["records"])
api.add_router("/compstat/", compstat_router, tags=["compstat"])
api.add_router("/reports/", reports_router, tags=["reports"])
api.add_router("/hotspots/", hotspots_router, tags=["hotspots"])
api.add_router("/patrols/", patrols_router, tags=["patrols"])
api.add_router("/events/", events_router, tags=["events"])
api.add_router("/civil-defence/", civildefence_router, tags=["civil defence"])
api.add_router("/investigations/", investigations_router, tags=["investigations"])
api.add_router("/enforcement/", enforcement_router, tags=["enforcement"])
api.add_router("/campaigns/", campaigns_router, tags=["campaigns"])
api.add_router("/alerts/", alerts_router, tags=["alerts"])
api.add_router("/field/", field_router, tags=["field"])
# A busy or unreachable database: 503 with Retry-After (anninh.web.busy), also in DEBUG mode.
api.add_exception_handler(OperationalError, api_exception_handler)
api.add_exception_handler(InterfaceError, api_exception_handler)
