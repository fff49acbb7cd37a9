"""Every URL pattern × every persona, expected statuses from the apps' route tables."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from mestring.core.testing.matrix import MATRIX_PERSONAS, Route, url_names
from mestring.core.testing.personas import ANONYMOUS, login


def all_routes() -> list[Route]:
    routes: list[Route] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mestring."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.routes")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tests.routes":
                raise
            continue
        routes.extend(module.ROUTES)
    return routes


ROUTES = all_routes()


def test_every_url_pattern_has_an_access_rule() -> None:
    listed = {route.name for route in ROUTES}
    missing = sorted(url_names() - listed)
    assert not missing, f"URL patterns without a row in any tests/routes.py: {missing}"
    unknown = sorted(listed - url_names())
    assert not unknown, f"Route tables name URLs that do not exist: {unknown}"


def test_every_route_covers_every_persona() -> None:
    for route in ROUTES:
        assert set(route.expect) == set(MATRIX_PERSONAS), route.id


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_role_url_matrix(route: Route, world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    url = reverse(route.name, kwargs=route.kwargs(world)) + route.query
    failures = []
    for persona in MATRIX_PERSONAS:
        client = Client()
        if persona != ANONYMOUS:
            login(client, persona)
        response = client.get(url)
        expected = route.expect[persona]
        if response.status_code != expected:
            failures.append(f"{persona}: expected {expected}, got {response.status_code}")
    assert not failures, f"GET {url}\n" + "\n".join(failures)
