from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from mestring.organisations.models import Organisation
from mestring.organisations.selectors import visible_organisations


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    membership = getattr(request, "membership", None)
    context = {}
    if membership is not None and membership.organisation.kind != Organisation.Kind.NATIONAL:
        org = membership.organisation
        context["visible"] = visible_organisations(org).exclude(pk=org.pk)
    return render(request, "core/home.html", context)


_migrations_complete = False


def pending_migrations() -> list[str]:
    """Migrations of this code not yet applied to the database. Once none are pending the answer is kept for
    the life of the process: loading the migration graph costs more than the rest of a health check, load
    balancers poll it every few seconds, and new migrations only arrive with new code (a new process)."""
    global _migrations_complete
    if _migrations_complete:
        return []
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations_complete = not pending
    return [f"{m.app_label}.{m.name}" for m, _backwards in pending]


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For operators: database reachable and all migrations applied."""
    result: dict[str, object] = {"database": "ok", "migrations": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = pending_migrations()
        if pending:
            result["migrations"] = "pending"
            result["pending"] = pending
            status = 503
    except Exception as exc:
        result["database"] = "error"
        result["error"] = exc.__class__.__name__
        status = 503
    result["status"] = "ok" if status == 200 else "error"
    return JsonResponse(result, status=status)
