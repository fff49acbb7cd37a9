"""The OpenAPI schema documents the error answers the API gives (mestring.core.schema)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from mestring.core.testing.personas import login

EPISODE = "/api/v1/followup/persons/{person_id}/episodes/{id}/"
PERSON = "/api/v1/persons/{id}/"
JSON = "application/json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


def _ref(response: dict[str, Any]) -> str:
    return response["content"][JSON]["schema"]["$ref"]  # type: ignore[no-any-return]


def test_schema_is_valid_openapi(schema) -> None:  # type: ignore[no-untyped-def]
    validate_schema(schema)


def test_locked_detail_update_documents_400_404_409(schema) -> None:  # type: ignore[no-untyped-def]
    for method in ("patch", "put"):
        responses = schema["paths"][EPISODE][method]["responses"]
        assert {"200", "400", "403", "404", "409"} <= set(responses)
        assert _ref(responses["400"]) == "#/components/schemas/FieldErrors"
        assert _ref(responses["404"]) == _ref(responses["409"]) == "#/components/schemas/ErrorDetail"
    assert "409" in schema["paths"][PERSON]["patch"]["responses"]
    assert "409" in schema["paths"]["/api/v1/followup/persons/{person_id}/plan/"]["put"]["responses"]


def test_no_409_without_optimistic_locking(schema) -> None:  # type: ignore[no-untyped-def]
    goal = schema["paths"]["/api/v1/followup/persons/{person_id}/goals/{id}/"]["patch"]["responses"]
    assert {"400", "404"} <= set(goal) and "409" not in goal
    create = schema["paths"]["/api/v1/persons/"]["post"]["responses"]
    assert {"201", "400", "403"} <= set(create) and not {"404", "409"} & set(create)


def test_reads_document_403_and_404_only_where_they_can_happen(schema) -> None:  # type: ignore[no-untyped-def]
    listing = schema["paths"]["/api/v1/persons/"]["get"]["responses"]
    assert "403" in listing and not {"400", "404", "409"} & set(listing)
    under_person = schema["paths"]["/api/v1/followup/persons/{person_id}/goals/"]["get"]["responses"]
    assert {"403", "404"} <= set(under_person)
    detail = schema["paths"][PERSON]["get"]["responses"]
    assert {"403", "404"} <= set(detail) and "400" not in detail
    # Session authentication answers 403 (not 401) when not logged in, so 401 is not documented.
    assert not any("401" in op["responses"] for ops in schema["paths"].values() for op in ops.values())


def test_view_declarations_win(schema) -> None:  # type: ignore[no-untyped-def]
    entry = schema["paths"]["/api/v1/mapping/entries/{id}/"]
    assert entry["get"]["responses"]["404"] == {"description": "Ikke funnet"}
    assert entry["patch"]["responses"]["400"]["description"] == "Feltfeil: {kolonne: [meldinger]}"


def test_error_components_match_real_answers(schema, world) -> None:  # type: ignore[no-untyped-def]
    """The documented shapes are what the API answers (checked against the component schemas)."""
    import jsonschema

    components = schema["components"]["schemas"]
    client = Client()
    login(client, "koordinator.evje")
    bad = client.post("/api/v1/persons/", {"organisation": "bykle"}, content_type=JSON)
    missing = client.get("/api/v1/persons/987654321/")
    assert (bad.status_code, missing.status_code) == (400, 404)
    jsonschema.validate(bad.json(), components["FieldErrors"])
    jsonschema.validate(missing.json(), components["ErrorDetail"])
    forbidden = Client().get("/api/v1/persons/")
    assert forbidden.status_code == 403
    jsonschema.validate(forbidden.json(), components["ErrorDetail"])


def test_schema_endpoint_and_command(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    login(client, "koordinator.evje")
    served = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    assert "409" in served.json()["paths"][EPISODE]["patch"]["responses"]
    # --fail-on-warn: every view is typed (no "unable to guess serializer", no untyped path parameters).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "FieldErrors" in (tmp_path / "schema.yaml").read_text()
