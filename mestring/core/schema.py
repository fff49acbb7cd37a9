"""OpenAPI schema: the error answers every API operation can give, documented in one place.

`ErrorDocumentingAutoSchema` is REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]. On top of what drf-spectacular
derives (and what a view declares with `extend_schema`, which always wins) it adds to each operation:

- 400 `FieldErrors` when the operation takes a request body or query parameters the view declares
  (DRF's `{"field": ["message"]}`, service errors through `core.forms.validation_detail`, with
  messages that belong to no field under `non_field_errors`);
- 401 `ErrorDetail` only when an authentication class of the view asks for credentials
  (`WWW-Authenticate`); with session authentication DRF answers 403 instead;
- 403 `ErrorDetail` when the view has a permission check (not logged in, no membership, role lacks it);
- 404 `ErrorDetail` when the path has parameters (a detail route, or anything under a person: missing
  and not-yours answer the same);
- 409 `ErrorDetail` for PUT/PATCH/DELETE on records with optimistic locking, detected from a writable
  `version`/`versjon` field of the request serializer or a declared `version`/`versjon` query parameter,
  so a new view gets it without being listed here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny

LOCK_FIELDS = frozenset({"version", "versjon"})
LOCKED_METHODS = frozenset({"PUT", "PATCH", "DELETE"})

FIELD_ERRORS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Feltfeil: hvert felt som ikke ble godtatt, med meldinger på norsk. Meldinger som ikke hører til "
        "ett felt står under `non_field_errors`. Ingenting er lagret."
    ),
    "properties": {
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    # A list or nested field reports per item/subfield: {"values": {"0": ["A valid integer is required."]}}.
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": True},
        ]
    },
    "example": {"version": ["Oppgi versjonen du endrer (optimistisk låsing)."]},
}

ERROR_DETAIL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Feilmelding på norsk.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["detail"],
}

DESCRIPTIONS = {
    "400": "Ugyldige data: feltfeil per felt. Ingenting er lagret.",
    "401": "Ikke innlogget.",
    "403": "Ikke innlogget, eller rollen din har ikke tilgang.",
    "404": "Fant ikke objektet, eller du har ikke tilgang til det (samme svar i begge tilfeller).",
    "409": "Noen andre har lagret endringer i mellomtiden (optimistisk låsing). Ingenting er lagret.",
}


class ErrorDocumentingAutoSchema(AutoSchema):
    """AutoSchema that documents the project's error answers (see module doc)."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        media_types = self.map_renderers("media_type") or ["application/json"]
        for code, component in self._error_responses(operation):
            if code in responses:
                continue  # what the view declares itself wins
            # Built here rather than through `_get_response_for_code`, which would guess the view's
            # serializer again (and repeat its warnings) for views without one.
            responses[code] = {
                "content": {media_type: {"schema": component.ref} for media_type in media_types},
                "description": DESCRIPTIONS[code],
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    # --- which errors ---------------------------------------------------------------------------------

    def _error_responses(self, operation: dict[str, Any]) -> list[tuple[str, ResolvedComponent]]:
        detail = self._component("ErrorDetail", ERROR_DETAIL_SCHEMA)
        errors: list[tuple[str, ResolvedComponent]] = []
        if "requestBody" in operation or self._declared_query_parameters():
            errors.append(("400", self._component("FieldErrors", FIELD_ERRORS_SCHEMA)))
        if self._asks_for_credentials():
            errors.append(("401", detail))
        if self._has_permission_check():
            errors.append(("403", detail))
        if any(p.get("in") == "path" for p in operation.get("parameters", [])):
            errors.append(("404", detail))
        if self.method in LOCKED_METHODS and self._has_optimistic_locking():
            errors.append(("409", detail))
        return errors

    def _component(self, name: str, schema: dict[str, Any]) -> ResolvedComponent:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
        self.registry.register_on_missing(component)
        return component

    def _declared_query_parameters(self) -> list[str]:
        return [
            p.name
            for p in self.get_override_parameters()
            if isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY and not p.exclude
        ]

    def _asks_for_credentials(self) -> bool:
        request = getattr(self.view, "request", None)
        for authenticator in getattr(self.view, "authentication_classes", []):
            instance = authenticator() if isinstance(authenticator, type) else authenticator
            if instance.authenticate_header(request):
                return True
        return False

    def _has_permission_check(self) -> bool:
        permissions = getattr(self.view, "permission_classes", [])
        return any(not (isinstance(p, type) and issubclass(p, AllowAny)) for p in permissions)

    def _has_optimistic_locking(self) -> bool:
        """The client sends the version it read: a writable `version`/`versjon` field or query parameter."""
        if LOCK_FIELDS.intersection(self._declared_query_parameters()):
            return True
        return bool(LOCK_FIELDS.intersection(_writable_fields(self.get_request_serializer())))


def _writable_fields(serializer: Any) -> set[str]:
    """Names of the fields a client can send (serializer class or instance, or a list of it)."""
    serializer = force_instance(serializer)
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    if not isinstance(serializer, serializers.Serializer):
        return set()
    return {name for name, field in serializer.fields.items() if not field.read_only}
