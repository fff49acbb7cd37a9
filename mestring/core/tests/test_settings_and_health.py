from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client

from config import settings as project_settings


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "MESTRING_FIELD_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=project_settings.BASE_DIR,
        check=False,
    )


def test_production_refuses_dev_secrets() -> None:
    result = run_settings({"MESTRING_ENV": "production", "DATABASE_URL": "postgres://x@127.0.0.1/x"})
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr
    assert "MESTRING_FIELD_KEY is the development key" in result.stderr


def test_production_refuses_debug() -> None:
    result = run_settings(
        {
            "MESTRING_ENV": "production",
            "DEBUG": "true",
            "SECRET_KEY": "x" * 50,
            "MESTRING_FIELD_KEY": "a-real-production-key",
            "DATABASE_URL": "postgres://x@127.0.0.1/x",
        }
    )
    assert result.returncode != 0 and "DEBUG is on" in result.stderr


def test_production_starts_with_real_secrets() -> None:
    result = run_settings(
        {
            "MESTRING_ENV": "production",
            "SECRET_KEY": "x" * 50,
            "MESTRING_FIELD_KEY": "a-real-production-key",
            "DATABASE_URL": "postgres://x@127.0.0.1/x",
        }
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_healthz_reports_database_and_migrations() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "migrations": "ok", "status": "ok"}


@pytest.mark.django_db
def test_healthz_reports_pending_migrations_until_they_are_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.migration import Migration

    from mestring.core import views

    monkeypatch.setattr(views, "_migrations_complete", False)
    plan: list[tuple[Migration, bool]] = [(Migration("0099_future", "people"), False)]
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: list(plan))

    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["pending"] == ["people.0099_future"]

    plan.clear()  # the migration is applied
    assert Client().get("/healthz").status_code == 200
    plan.append((Migration("0100_rolled_back", "people"), False))
    # Complete once means complete for this process: the graph is not loaded again.
    assert Client().get("/healthz").status_code == 200


def test_server_error_page_is_norwegian_and_inside_the_layout() -> None:
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Noe gikk galt" in page and 'class="site-header"' in page and "core/mestring.css" in page
    assert 'lang="nb"' in page
