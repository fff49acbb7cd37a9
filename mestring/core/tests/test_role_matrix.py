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


# Every query parameter a view or the API reads, with values no form would send.
JUNK_QUERIES = [
    "side=-1&aar=abc&enhet=x&vis=alle&fra=z&til=%00&tiltak=alle&mot=9999999999999999999999&etter=-5",
    "person=abc&mal=%27%3B--&sporsmal=0&versjon=x&kommune=0000&samarbeid=../&nasjonalt=ja&kiosk=2",
    "q=%25%25&year=20261&by=nope&next=//evil.example&format=x&page=0&side=99999999999999999999",
]


def _first_allowed(route: Route) -> str | None:
    """A persona that may open the route: a logged-in one if any, else an anonymous respondent."""
    allowed = [p for p, status in route.expect.items() if status == 200]
    return next((p for p in allowed if p != ANONYMOUS), allowed[0] if allowed else None)


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_junk_query_parameters_never_give_500(route: Route, world) -> None:  # type: ignore[no-untyped-def]
    """Bad input gets a message or a 4xx, never a server error (and never a page of another tenant)."""
    persona = _first_allowed(route)
    if persona is None:
        pytest.skip("no persona gets a page here (POST-only, a redirect, or a 404 case)")
    client = Client(raise_request_exception=False)
    if persona != ANONYMOUS:
        login(client, persona)
    base = reverse(route.name, kwargs=route.kwargs(world))
    for junk in JUNK_QUERIES:
        url = f"{base}?{junk}&{route.query.lstrip('?')}" if route.query else f"{base}?{junk}"
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} as {persona}: {response.status_code}"


JUNK_FORM = {
    "side": "-1",
    "aar": "abc",
    "year": "20261",
    "versjon": "x",
    "version": "-3",
    "enhet": "x",
    "person": "abc",
    "membership": "0",
    "retning": "sideways",
    "fodselsaar": "19x0",
    "kjonn": "q",
    "starts_at": "2026-13-45T25:61",
    "started_on": "not a date",
    "email": "not-an-email",
    "score": "NaN",
    "title": "x" * 5000,
    "name": "",
    "text": "\x00",
}


def _poster(route: Route) -> str | None:
    """A logged-in persona that reaches the view (not refused before it: 403/404/405 or the login page)."""
    return next(
        (p for p, status in route.expect.items() if p != ANONYMOUS and status in (200, 302)),
        None,
    )


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_junk_form_posts_never_give_500(route: Route, world) -> None:  # type: ignore[no-untyped-def]
    """A POST with missing, malformed or oversized fields gets field errors, a message or a 4xx; never 5xx."""
    persona = _poster(route)
    if persona is None:
        pytest.skip("no logged-in persona reaches this view")
    client = Client(raise_request_exception=False)
    login(client, persona)
    url = reverse(route.name, kwargs=route.kwargs(world)) + route.query
    for data in ({}, JUNK_FORM):
        response = client.post(url, data)
        assert response.status_code < 500, (
            f"POST {url} as {persona} with {data or 'nothing'}: {response.status_code}"
        )
