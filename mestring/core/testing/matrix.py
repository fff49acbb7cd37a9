"""The role × URL matrix: every URL pattern, every persona, the expected status from one table per app.

Each app lists its routes in `mestring/<app>/tests/routes.py` as `ROUTES: list[Route]`. The matrix test
walks the URL configuration; a URL name that no app lists fails the build, so a new view cannot ship
without an access rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from mestring.core.world import World

MATRIX_PERSONAS = [
    "anonymous",
    "koordinator.evje",
    "ansatt.bykle",
    "leder.valle",
    "ruskonsulent.setesdal",
    "analytiker.setesdal",
    "admin.evje",
    "planlegger.osterdalen",
    "forsker.nasjonal",
    "drift",
]

# Persona groups to keep the tables short.
PERSON_WORKERS = ("koordinator.evje", "ansatt.bykle", "leder.valle", "ruskonsulent.setesdal")
ADMINS = ("admin.evje", "planlegger.osterdalen")
ANALYSTS = ("analytiker.setesdal", "forsker.nasjonal")


def expect(default: int, *, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    """Expected status per persona. Override keys use `_` for `.` in usernames (koordinator_evje=404)."""
    table = dict.fromkeys(MATRIX_PERSONAS, default)
    table["anonymous"] = anonymous
    for key, status in overrides.items():
        persona = key.replace("_", ".", 1) if key not in table else key
        if persona not in table:
            raise KeyError(f"unknown persona {key}")
        table[persona] = status
    return table


def only(allowed: dict[str, int], *, otherwise: int = 403, anonymous: int = 302) -> dict[str, int]:
    """Statuses for the listed personas; everyone else gets `otherwise`."""
    table = dict.fromkeys(MATRIX_PERSONAS, otherwise)
    table["anonymous"] = anonymous
    for persona, status in allowed.items():
        if persona not in table:
            raise KeyError(f"unknown persona {persona}")
        table[persona] = status
    return table


@dataclass
class Route:
    name: str
    expect: dict[str, int]
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda world: {})
    label: str = ""
    query: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}{'[' + self.label + ']' if self.label else ''}"


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> set[str]:
    """Every named URL pattern in the project, with its namespace."""
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                raise AssertionError(f"URL pattern without a name: {pattern.pattern}")
            names.add(f"{namespace}{pattern.name}")
    return names
