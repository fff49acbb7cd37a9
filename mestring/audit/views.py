"""Innsyn: the person's access log, and the export of everything stored (JSON and PDF)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from mestring.accounts.roles import Perm
from mestring.audit.admin_log import admin_log_rows, describe_admin_change, filter_by_staff, staff_choices
from mestring.audit.innsyn import export_person, label_for, person_rows
from mestring.audit.models import AccessLog
from mestring.core.permissions import member_required
from mestring.people.access import access_person


@member_required(Perm.PERSON_VIEW)
def innsyn(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has read the record and when (newest first). Opening this page is itself logged."""
    person = access_person(request=request, person_id=pk, what=_("innsyn: tilgangslogg"))
    rows = AccessLog.objects.filter(person_id=person.pk).order_by("-at", "-pk")
    page = Paginator(rows, 100).get_page(request.GET.get("side"))
    return render(request, "audit/innsyn.html", {"person": person, "page": page})


@member_required(Perm.ORG_MANAGE)
def admin_log(request: HttpRequest) -> HttpResponse:
    """The page "Endringslogg for administrasjon": who gave or ended whose access, created units, changed
    cooperations and group sets, in the organisations the actor administers (newest first, 50 a page)."""
    rows = admin_log_rows(request.membership)  # type: ignore[attr-defined]
    choices = staff_choices(rows)
    wanted = request.GET.get("ansatt", "")
    selected = int(wanted) if wanted.isdigit() and int(wanted) in dict(choices) else None
    if selected is not None:
        rows = filter_by_staff(rows, selected)
    page = Paginator(rows, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "audit/admin_log.html",
        {
            "page": page,
            "entries": [describe_admin_change(row) for row in page],
            "choices": choices,
            "selected": selected,
        },
    )


@member_required(Perm.PERSON_VIEW)
def innsyn_json(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request=request, person_id=pk, what=_("innsyn: eksport JSON"), purpose=_("innsyn"))
    response = JsonResponse(export_person(person), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="innsyn-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@member_required(Perm.PERSON_VIEW)
def innsyn_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML

    person = access_person(request=request, person_id=pk, what=_("innsyn: eksport PDF"), purpose=_("innsyn"))
    data = export_person(person)
    extra = {label_for(k): v for k, v in data.items() if k not in _KNOWN}
    html = render_to_string(
        "audit/innsyn_pdf.html",
        {
            "person": person,
            "data": data,
            "person_rows": person_rows(data["person"]),
            "extra": extra,
            "now": timezone.now(),
        },
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="innsyn-{person.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


_KNOWN = {
    "eksportert",
    "person",
    "tjenester",
    "team",
    "samtykker",
    "delinger",
    "parorende",
    "bryt_glasset",
    "endringer",
    "tilgangslogg",
}
