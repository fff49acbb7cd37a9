"""Shared fixtures: the demo world's organisations and personas, built once per test database."""

from __future__ import annotations

import pytest
from django.test import override_settings

from mestring.core.world import World, build_world, load_world

pytest_plugins = ["mestring.core.testing.browser", "mestring.core.testing.smtp"]

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        build_world()


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    """The shared personas. Rebuilt when a transactional test flushed the database."""
    loaded = load_world()
    if "setesdal" not in loaded.orgs:
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            rebuilt = build_world()
        ensure_reference_data()
        return rebuilt
    return loaded


def ensure_reference_data() -> None:
    """Rows that data migrations create and a transactional test's flush removes."""
    from mestring.followup.instruments import ensure_builtin_instruments

    ensure_builtin_instruments()


@pytest.fixture(autouse=True)
def _fast_settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = FAST_HASHERS
