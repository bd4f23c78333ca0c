"""The API's OpenAPI schema for tests, built in-process: /api/openapi.json needs a signed-in
caller, and schemathesis loads the schema at collection time, before any database exists."""

from __future__ import annotations

import json
from typing import Any


def openapi_schema() -> dict[str, Any]:
    """Exactly what /api/openapi.json serves (as parsed JSON)."""
    from ninja.responses import NinjaJSONEncoder

    from anninh.api import api

    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def schemathesis_schema():
    """The schema loaded into schemathesis, calling the WSGI application (as from_wsgi would)."""
    import schemathesis

    from anninh.wsgi import application

    loaded = schemathesis.openapi.from_dict(openapi_schema())
    loaded.app = application
    loaded.location = "/api/openapi.json"
    return loaded
