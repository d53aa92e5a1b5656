"""The bearer scheme in the OpenAPI description: Swagger UI's Authorize button, and each
operation's key requirement and 401/403 answers."""

from collections.abc import Iterable
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from sanctions_tracker.auth.dependencies import is_public, operation_role
from sanctions_tracker.models.trust import Role

SCHEME_NAME = "bearerAuth"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key (`sdt_...`), sent as `Authorization: Bearer KEY`; never in the "
    "URL. Make one with `sanctions-tracker keys create --role ROLE --name NAME`.",
}
UNAUTHORIZED = {"description": "Unauthorized: no API key, or an unknown, expired or revoked one"}
FORBIDDEN = {"description": "Forbidden: the API key's role does not allow this operation"}


def document_security(
    schema: dict[str, Any], routes: Iterable[BaseRoute], *, require_read_key: bool
) -> None:
    schema.setdefault("components", {}).setdefault("securitySchemes", {})[SCHEME_NAME] = (
        SECURITY_SCHEME
    )
    # Included routers are resolved lazily; their route contexts carry the full path and
    # every dependency, the app's included.
    for route in iter_route_contexts(list(routes)):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        if is_public(route):
            continue
        for method in sorted(route.methods or ()):
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            needed = operation_role(route, method, require_read_key=require_read_key)
            responses = operation.setdefault("responses", {})
            # A key that is sent is always checked, so even open operations can answer 401.
            responses.setdefault("401", dict(UNAUTHORIZED))
            if needed is None:
                operation["security"] = [{}, {SCHEME_NAME: []}]
                continue
            operation["security"] = [{SCHEME_NAME: []}]
            if needed is not Role.reader:
                responses.setdefault("403", dict(FORBIDDEN))
            note = f"Needs an API key with the `{needed.value}` role."
            description = operation.get("description")
            operation["description"] = f"{description}\n\n{note}" if description else note
            operation["responses"] = dict(sorted(responses.items()))
