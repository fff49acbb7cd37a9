from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mestring.accounts.models import Membership, User
from mestring.accounts.roles import Perm
from mestring.core.forms import apply_errors, message_errors
from mestring.core.permissions import member_required
from mestring.mapping import jobs as mapping_jobs
from mestring.mapping import services
from mestring.mapping.access import (
    RoundView,
    access_entry,
    access_import,
    access_round,
    can_work_with_rounds,
    editable_municipality_ids,
    entry_municipality_ids,
    managed_round,
    resolve_scope,
    round_owner_for,
    round_view,
    visible_entries,
    visible_rounds,
    with_visible_entry_counts,
)
from mestring.mapping.areas import AREAS, Rating
from mestring.mapping.catalog import SERVICES
from mestring.mapping.forms import EntryEditForm, EntryForm, ImportForm, RoundForm
from mestring.mapping.models import EntryChange, MappingEntry, MappingRound, RoundStaffTarget
from mestring.mapping.prefill import Prefill, prefill_for_person
from mestring.mapping.reports import Scope, cached_report, peek_report
from mestring.mapping.validation import ALL_COLUMNS, REQUIRED_COLUMNS, is_whole_number
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import active_units, current_member_ids
from mestring.stats import jobs
from mestring.stats.render import DOWNLOAD_TYPES, report_blocks, report_download

Kind = Organisation.Kind
RATING_TEXT = {
    Rating.GREEN: gettext_lazy("Grønn"),
    Rating.YELLOW: gettext_lazy("Gul"),
    Rating.RED: gettext_lazy("Rød"),
}


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _require_round_work(membership: Membership) -> None:
    if not can_work_with_rounds(membership):
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------------------------


@member_required()
def index(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    _require_round_work(membership)
    rounds = with_visible_entry_counts(membership, visible_rounds(membership))
    return render(
        request,
        "mapping/index.html",
        {
            "rounds": rounds,
            "can_manage": membership.can(Perm.MAPPING_MANAGE) and round_owner_for(membership) is not None,
            "can_report": membership.can(Perm.AGGREGATE_VIEW),
        },
    )


def _round_units_and_staff(owner: Organisation) -> tuple[list[Organisation], list[User]]:
    municipality_ids = current_member_ids(owner) if owner.kind == Kind.COOPERATION else {owner.pk}
    units = list(Organisation.objects.filter(kind=Kind.UNIT, parent_id__in=municipality_ids).order_by("name"))
    staff_ids = (
        Membership.objects.active()
        .filter(organisation__in=units, role__in=["staff", "coordinator", "unit_leader"])
        .values_list("user_id", flat=True)
    )
    staff = list(User.objects.filter(pk__in=staff_ids).order_by("first_name", "last_name"))
    return units, staff


@member_required(Perm.MAPPING_MANAGE)
def round_create(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    owner = round_owner_for(membership)
    if owner is None:
        raise PermissionDenied
    units, staff = _round_units_and_staff(owner)
    form = RoundForm(request.POST or None, units=units, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            mapping_round = services.round_create(
                actor=membership.user,
                organisation=owner,
                year=form.cleaned_data["year"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
                units=form.unit_targets(),
                staff=form.staff_targets(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Kartleggingsrunden for %(y)s er opprettet.") % {"y": mapping_round.year}
            )
            return redirect("mapping:round_detail", pk=mapping_round.pk)
    return render(request, "mapping/round_form.html", {"form": form, "owner": owner})


def round_progress(mapping_round: MappingRound, view: RoundView | None = None) -> dict[str, object]:
    """Persons mapped per unit and per staff member against the expected numbers (GROUP BY), within the
    part of the round the actor sees (`access.round_view`; None: the whole round)."""
    view = view or RoundView(municipality_ids=None)
    entries = view.entries(MappingEntry.objects.filter(round=mapping_round)).order_by()
    by_unit: dict[int | None, int] = dict(
        entries.values_list("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")
    )
    by_staff = dict(
        entries.values_list("assessed_by_id").annotate(n=Count("pk")).values_list("assessed_by_id", "n")
    )
    units: list[dict[str, Any]] = [
        {"name": ru.unit.name, "expected": ru.expected, "done": by_unit.get(ru.unit_id, 0)}
        for ru in view.round_units(mapping_round.round_units.select_related("unit"))
    ]
    targets = {
        t.user_id: t
        for t in view.staff_targets(RoundStaffTarget.objects.filter(round=mapping_round)).select_related(
            "user"
        )
    }
    staff_ids = set(targets) | {pk for pk in by_staff if pk is not None}
    users = {u.pk: u for u in User.objects.filter(pk__in=staff_ids)}
    staff: list[dict[str, Any]] = sorted(
        (
            {
                "name": users[pk].get_full_name() or users[pk].username,
                "expected": targets[pk].expected if pk in targets else None,
                "done": by_staff.get(pk, 0),
            }
            for pk in staff_ids
            if pk in users
        ),
        key=lambda row: str(row["name"]),
    )
    for row in [*units, *staff]:
        expected, done = row["expected"], row["done"]
        row["percent"] = min(100, round(100 * int(done) / int(expected))) if expected else None  # type: ignore[call-overload]
    total = sum(by_unit.values())
    return {
        "units": units,
        "staff": staff,
        "total": total,
        "without_unit": by_unit.get(None, 0),
        "whole_round": view.whole_round,
    }  # type: ignore[call-overload]


@member_required()
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    _require_round_work(membership)
    mapping_round = access_round(membership, pk)
    try:
        managed_round(membership, pk)
        can_manage = membership.can(Perm.MAPPING_MANAGE)
    except Http404:
        can_manage = False
    return render(
        request,
        "mapping/round_detail.html",
        {
            "round": mapping_round,
            "progress": round_progress(mapping_round, round_view(membership, mapping_round)),
            "can_manage": can_manage,
            "can_enter": membership.can(Perm.MAPPING_ENTER) and mapping_round.is_open,
            "imports": mapping_round.imports.defer("content")[:10] if can_manage else [],
        },
    )


@member_required(Perm.MAPPING_MANAGE)
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    mapping_round = managed_round(membership, pk)
    if request.method == "POST":
        try:
            services.round_close(actor=membership.user, mapping_round=mapping_round)
        except ValidationError as exc:
            message_errors(request, exc)
        else:
            messages.success(request, _("Runden er avsluttet."))
        return redirect("mapping:round_detail", pk=mapping_round.pk)
    return render(request, "mapping/round_close.html", {"round": mapping_round})


# ---------------------------------------------------------------------------------------------
# Entry
# ---------------------------------------------------------------------------------------------


@member_required(Perm.MAPPING_ENTER)
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    mapping_round = access_round(membership, pk)
    if not mapping_round.is_open:
        messages.error(request, _("Runden er avsluttet; nye kartlegginger kan ikke legges inn."))
        return redirect("mapping:round_detail", pk=mapping_round.pk)
    allowed = entry_municipality_ids(membership) & services.round_municipality_ids(mapping_round)
    municipalities = Organisation.objects.filter(pk__in=allowed).order_by("name")
    units = active_units(allowed)
    prefill: Prefill | None = None
    person_param = request.GET.get("person") or request.POST.get("person")
    if person_param:
        prefill = prefill_for_person(membership, person_param)
    initial: dict[str, object] = {}
    if membership.organisation.kind == Kind.UNIT:
        initial["unit"] = membership.organisation.pk
    if prefill is not None:
        initial.update(prefill.initial)
        if prefill.municipality_id in allowed:
            initial["municipality"] = prefill.municipality_id
    form = EntryForm(
        request.POST or None,
        initial=initial,
        year=mapping_round.year,
        period=(mapping_round.starts_on, mapping_round.ends_on),
        municipalities=municipalities,
        units=units,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_create(
                actor=membership.user,
                mapping_round=mapping_round,
                raw=form.raw(),
                municipality=form.cleaned_data["municipality"],
                unit=form.cleaned_data.get("unit"),
                source="followup" if prefill else "anonymous",
                person_id=prefill.person_id if prefill else None,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Kartleggingen er lagret."))
            if "ny" in request.POST:
                return redirect("mapping:entry_create", pk=mapping_round.pk)
            return redirect("mapping:round_detail", pk=mapping_round.pk)
    return render(
        request, "mapping/entry_form.html", {"form": form, "round": mapping_round, "prefill": prefill}
    )


# ---------------------------------------------------------------------------------------------
# Registered entries: list, correct, delete
# ---------------------------------------------------------------------------------------------

ENTRIES_PER_PAGE = 50
CLOSED_FOR_CORRECTIONS = gettext_lazy("Runden er avsluttet; kartlegginger kan ikke endres eller slettes.")


def _unit_filter(request: HttpRequest, units: list[Organisation]) -> Organisation | None:
    """The unit asked for with `?enhet=<id>`, or None; a value that is not one of `units` gets a message."""
    raw = (request.GET.get("enhet") or "").strip()
    if not raw:
        return None
    chosen = next((u for u in units if str(u.pk) == raw), None)
    if chosen is None:
        messages.warning(request, _("Enheten du valgte finnes ikke i runden; viser alle enheter."))
    return chosen


@member_required()
def entry_list(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    _require_round_work(membership)
    mapping_round = access_round(membership, pk)
    entries = visible_entries(membership, mapping_round)
    unit_ids = entries.order_by().exclude(unit=None).values_list("unit_id", flat=True).distinct()
    units = list(Organisation.objects.filter(pk__in=unit_ids).order_by("name"))
    unit = _unit_filter(request, units)
    if unit is not None:
        entries = entries.filter(unit=unit)
    page = Paginator(
        entries.select_related("unit", "municipality", "assessed_by").order_by("-assessed_on", "-pk"),
        ENTRIES_PER_PAGE,
    ).get_page(request.GET.get("side"))
    return render(
        request,
        "mapping/entry_list.html",
        {
            "round": mapping_round,
            "page": page,
            "rows": [entry_row(entry) for entry in page],
            "units": units,
            "unit": unit,
            "area_labels": [label for _code, label in AREAS],
            "several_municipalities": len(services.round_municipality_ids(mapping_round)) > 1,
        },
    )


def entry_row(entry: MappingEntry) -> dict[str, Any]:
    """One row of the entry list: the entry and its eight ratings as (area, rating code, rating text)."""
    return {
        "entry": entry,
        "ratings": [
            (label, getattr(entry, code), RATING_TEXT[getattr(entry, code)]) for code, label in AREAS
        ],
    }


def field_label(name: str) -> str:
    """A readable Norwegian name of an entry field in the change history."""
    services_by_code = dict(SERVICES)
    for prefix, verb in (("received_", _("mottar")), ("needed_", _("trenger"))):
        if name.startswith(prefix) and name[len(prefix) :] in services_by_code:
            return f"{verb} {str(services_by_code[name[len(prefix) :]]).lower()}"
    if name == "municipality_id":
        return _("kommune")
    if name == "unit_id":
        return _("enhet")
    try:
        field = MappingEntry._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _entry_or_closed(request: HttpRequest, pk: int) -> tuple[MappingEntry, HttpResponse | None]:
    """The entry (or 404), and a redirect with a message when its round is closed."""
    membership = _membership(request)
    _require_round_work(membership)
    entry = access_entry(membership, pk)
    if entry.round.is_open:
        return entry, None
    messages.error(request, CLOSED_FOR_CORRECTIONS)
    return entry, redirect("mapping:entry_list", pk=entry.round_id)


@member_required()
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry, refused = _entry_or_closed(request, pk)
    if refused is not None:
        return refused
    membership = _membership(request)
    mapping_round = entry.round
    allowed = editable_municipality_ids(membership, mapping_round)
    form = EntryEditForm(
        request.POST or None,
        entry=entry,
        year=mapping_round.year,
        period=(mapping_round.starts_on, mapping_round.ends_on),
        municipalities=Organisation.objects.filter(pk__in=allowed).order_by("name"),
        units=(active_units(allowed) | Organisation.objects.filter(pk__in=[entry.unit_id])).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(
                actor=membership.user,
                entry=entry,
                raw=form.raw(),
                municipality=form.cleaned_data["municipality"],
                unit=form.cleaned_data.get("unit"),
                expected_version=form.cleaned_data["versjon"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Kartleggingen er endret."))
            return redirect("mapping:entry_list", pk=mapping_round.pk)
    history = [
        {
            "at": change.at,
            "who": (change.user.get_full_name() if change.user else "") or change.username,
            "action": change.get_action_display(),
            "fields": ", ".join(field_label(name) for name in change.changes),
        }
        for change in EntryChange.objects.filter(entry_id=entry.pk).select_related("user")[:20]
    ]
    return render(
        request,
        "mapping/entry_form.html",
        {"form": form, "round": mapping_round, "entry": entry, "history": history},
    )


@member_required()
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: a confirmation page; POST: delete the entry."""
    entry, refused = _entry_or_closed(request, pk)
    if refused is not None:
        return refused
    if request.method == "POST":
        version = request.POST.get("versjon") or ""
        try:
            services.entry_delete(
                actor=_membership(request).user,
                entry=entry,
                expected_version=int(version) if is_whole_number(version) else None,
            )
        except ValidationError as exc:
            message_errors(request, exc)
        else:
            messages.success(request, _("Kartleggingen er slettet."))
        return redirect("mapping:entry_list", pk=entry.round_id)
    return render(
        request, "mapping/entry_delete.html", {"entry": entry, "round": entry.round, "row": entry_row(entry)}
    )


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


@member_required(Perm.MAPPING_MANAGE)
def import_file(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    mapping_round = managed_round(membership, pk)
    municipalities = Organisation.objects.filter(
        pk__in=services.round_municipality_ids(mapping_round)
    ).order_by("name")
    form = ImportForm(request.POST or None, request.FILES or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_request(
                actor=membership.user,
                mapping_round=mapping_round,
                municipality=form.cleaned_data.get("municipality"),
                filename=upload.name,
                content=upload.read(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if job.status == job.Status.DONE:
                messages.success(request, _("%(n)s kartlegginger er importert.") % {"n": job.imported})
            return redirect("mapping:import_status", pk=job.pk)
    return render(
        request,
        "mapping/import.html",
        {
            "form": form,
            "round": mapping_round,
            "required": REQUIRED_COLUMNS,
            "optional": ALL_COLUMNS[len(REQUIRED_COLUMNS) :],
        },
    )


@member_required(Perm.MAPPING_MANAGE)
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_import(_membership(request), pk)
    template = "mapping/_import_status.html" if request.htmx else "mapping/import_status.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job, "round": job.round})


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------


def _report_year(request: HttpRequest, scope: Scope) -> tuple[int, str]:
    raw = (request.GET.get("aar") or "").strip()
    if raw:
        if is_whole_number(raw) and 2000 <= int(raw) <= 2100:
            return int(raw), ""
        message = _("Året «%(v)s» er ikke gyldig; viser siste år med data.") % {"v": raw[:20]}
    else:
        message = ""
    entries = MappingEntry.objects.all()
    if scope.kind != "national":
        entries = entries.filter(municipality_id__in=scope.municipality_ids)
    latest = entries.order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year, message


def _years(scope: Scope) -> list[int]:
    entries = MappingEntry.objects.all()
    if scope.kind != "national":
        entries = entries.filter(municipality_id__in=scope.municipality_ids)
    return list(entries.order_by("-year").values_list("year", flat=True).distinct())


def _scope_choices(membership: Membership, scope: Scope) -> list[tuple[str, str, bool]]:
    """(query string, label, selected) of the scopes the actor can switch between."""
    choices: list[tuple[str, str, bool]] = []
    if membership.can(Perm.NATIONAL_AGGREGATE_VIEW):
        choices.append(("nasjonalt=1", _("Hele landet"), scope.kind == "national"))
        for cooperation in Organisation.objects.filter(kind=Kind.COOPERATION).order_by("name"):
            choices.append(
                (f"samarbeid={cooperation.slug}", cooperation.name, scope.organisation == cooperation)
            )
        municipalities = Organisation.objects.filter(kind=Kind.MUNICIPALITY).order_by("name")
    else:
        organisation = membership.organisation
        if organisation.kind == Kind.COOPERATION:
            choices.append(
                (f"samarbeid={organisation.slug}", organisation.name, scope.organisation == organisation)
            )
        municipalities = Organisation.objects.filter(
            pk__in=entry_municipality_ids(membership), kind=Kind.MUNICIPALITY
        ).order_by("name")
    for municipality in municipalities:
        choices.append(
            (f"kommune={municipality.kommunenummer}", municipality.name, scope.organisation == municipality)
        )
    return choices


BACKGROUND_SCOPES = ("cooperation", "national")
"""Scopes whose first build (linked suppression of many tables) runs in the background with progress."""


@member_required(Perm.AGGREGATE_VIEW)
def report(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    scope = resolve_scope(membership, request.GET)
    year, year_message = _report_year(request, scope)
    if year_message:
        messages.warning(request, year_message)
    query = "&".join(f"{k}={v}" for k, v in scope.params().items()) + f"&aar={year}"
    context: dict[str, Any] = {
        "scope": scope,
        "year": year,
        "years": _years(scope) or [year],
        "scope_choices": _scope_choices(membership, scope),
        "query": query,
        "can_rounds": can_work_with_rounds(membership),
        "title": _("Levekårskartlegging %(year)s – %(scope)s") % {"year": year, "scope": scope.label},
    }
    key, built = peek_report(scope, year=year)
    if built is None and scope.kind in BACKGROUND_SCOPES:
        body = mapping_jobs.stored_html(key)
        if body is None:
            params = {**scope.params(), "aar": str(year), "key": key, "url": f"{request.path}?{query}"}
            # One open build per report: a job still waiting for an older data state takes the new key.
            job = jobs.job_request(
                membership=membership,
                kind="mapping.html",
                params=params,
                title=context["title"],
                identity=[name for name in params if name != "key"],
            )
            body = mapping_jobs.stored_html(key)
            if body is None:
                return render(request, "mapping/report_building.html", {**context, "job": job})
        return render(request, "mapping/report.html", {**context, "body": mark_safe(body)})  # noqa: S308
    built = built or cached_report(scope, year=year)
    return render(
        request, "mapping/report.html", {**context, "report": built, "blocks": report_blocks(built)}
    )


@member_required(Perm.AGGREGATE_VIEW)
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in DOWNLOAD_TYPES:
        raise Http404
    membership = _membership(request)
    scope = resolve_scope(membership, request.GET)
    year, _message = _report_year(request, scope)
    return report_download(cached_report(scope, year=year), fmt)


@member_required(Perm.AGGREGATE_VIEW)
@require_http_methods(["GET", "POST"])
def report_pdf(request: HttpRequest) -> HttpResponse:
    """GET: a page with a button; POST: build the PDF in the background and show its progress."""
    membership = _membership(request)
    params = request.POST if request.method == "POST" else request.GET
    scope = resolve_scope(membership, params)
    year, _message = (
        _report_year(request, scope) if request.method == "GET" else _post_year(params, scope, request)
    )
    if request.method == "POST":
        job = jobs.job_request(
            membership=membership,
            kind="mapping.pdf",
            params={**scope.params(), "aar": str(year)},
            title=_("Kartleggingsrapport %(y)s – %(s)s (PDF)") % {"y": year, "s": scope.label},
        )
        return redirect("stats:job_status", pk=job.pk)
    return render(
        request, "mapping/report_pdf.html", {"scope": scope, "year": year, "params": scope.params()}
    )


def _post_year(params: object, scope: Scope, request: HttpRequest) -> tuple[int, str]:
    raw = str(params.get("aar", "")).strip()  # type: ignore[attr-defined]
    if is_whole_number(raw) and 2000 <= int(raw) <= 2100:
        return int(raw), ""
    return _report_year(request, scope)
