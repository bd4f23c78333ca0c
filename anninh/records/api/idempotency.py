"""The `Idempotency-Key` header on the API's create operations (see
anninh.records.services.idempotency): `@idempotent(DetailOut)` between `@router.post` and
the endpoint function. A successful answer is rendered here, once, so a replay returns the
very same bytes and status."""

from __future__ import annotations

import inspect
from functools import wraps

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Status

from anninh.records.services import idempotency

HEADER = "Idempotency-Key"
DESCRIPTION = (
    "Optional Idempotency-Key header (1-255 visible ASCII characters): a retry with the same key "
    "and the same body returns the first answer (same status and body) instead of creating "
    "again; the same key with another body is 422 `idempotency.mismatch`. Keys are kept 24 hours."
)


OPENAPI_HEADER = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": DESCRIPTION,
        }
    ]
}


def _problem(code: str, message: str) -> Status:
    return Status(422, {"detail": [{"type": code, "loc": ["header", HEADER], "msg": message}]})


def _replay(answer: idempotency.Answer) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(schema):
    """Make a create endpoint honour the Idempotency-Key header. `schema` renders its
    successful (2xx) answer."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                return view(request, *args, **kwargs)
            if not idempotency.key_valid(key):
                return _problem(
                    "idempotency.key",
                    _("An Idempotency-Key has 1 to 255 visible ASCII characters (no spaces)."),
                )

            def run():
                result = view(request, *args, **kwargs)
                # Endpoints answer Status(code, value) or a (code, value) tuple.
                code, value = (
                    (result.status_code, result.value)
                    if isinstance(result, Status)
                    else result
                    if isinstance(result, tuple) and len(result) == 2
                    else (None, None)
                )
                if isinstance(code, int) and 200 <= code < 300:
                    body = schema.model_validate(value).model_dump_json(by_alias=True)
                    answer = idempotency.Answer(code, body)
                    return answer, HttpResponse(body, status=answer.status, content_type="application/json")
                return None, result

            try:
                answer, value, replayed = idempotency.idempotent_create(
                    user=request.user,
                    key=key,
                    request_digest=idempotency.request_hash(request.method, request.path, request.body),
                    run=run,
                )
            except idempotency.KeyMismatch:
                return _problem(
                    "idempotency.mismatch",
                    _(
                        "This Idempotency-Key was already used for a different request: send a new key "
                        "for a new record, or the same body to get the first answer again."
                    ),
                )
            return _replay(answer) if replayed else value

        # The endpoint's parameters with their types resolved where it is defined (its module
        # uses `from __future__ import annotations`): ninja reads the request from them.
        wrapped.__signature__ = inspect.signature(view, eval_str=True)
        return wrapped

    return decorate
