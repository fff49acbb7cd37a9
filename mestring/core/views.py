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


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For operators: database reachable and all migrations applied."""
    result: dict[str, object] = {"database": "ok", "migrations": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            result["migrations"] = "pending"
            result["pending"] = [f"{m.app_label}.{m.name}" for m, _backwards in pending]
            status = 503
    except Exception as exc:
        result["database"] = "error"
        result["error"] = exc.__class__.__name__
        status = 503
    result["status"] = "ok" if status == 200 else "error"
    return JsonResponse(result, status=status)
