from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.core.permissions import member_required
from mestring.organisations import frame_jobs, selectors, services
from mestring.organisations.access import access_group_set, access_organisation
from mestring.organisations.forms import (
    AgreementForm,
    CooperationMemberEndForm,
    CooperationMemberForm,
    FrameImportForm,
    GroupSetForm,
    SteeringSeatForm,
    UnitForm,
)
from mestring.organisations.models import (
    CooperationMember,
    FrameImportJob,
    GroupSet,
    MunicipalityFrame,
    Organisation,
    SteeringGroupMember,
)


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _administers(membership: Membership, organisation: Organisation) -> bool:
    """Its own organisation, a cooperation its municipality hosts, or a unit of its municipality."""
    own = membership.organisation
    return (
        membership.can(Perm.SYSTEM_ADMIN)
        or organisation == own
        or organisation.host_id == own.pk
        or (organisation.kind == Organisation.Kind.UNIT and organisation.parent_id == own.pk)
    )


def _managed(request: HttpRequest, slug: str, kind: str) -> Organisation:
    """An organisation of `kind` the actor administers (see `_administers`); anything else answers 404."""
    membership = _membership(request)
    organisation = access_organisation(membership, slug)
    if organisation.kind != kind:
        raise Http404
    if _administers(membership, organisation):
        return organisation
    raise Http404


@member_required(Perm.ORG_VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    return detail(request, _membership(request).organisation.slug)


@member_required(Perm.ORG_VIEW)
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _membership(request)
    organisation = access_organisation(membership, slug)
    visible_ids = selectors.visible_organisation_ids(membership.organisation)
    # Links only to organisations the actor may open (the same rule as `access_organisation`); the others
    # are shown as plain text.
    context: dict[str, object] = {"organisation": organisation, "visible_ids": visible_ids}
    if organisation.is_municipality:
        year = selectors.latest_frame_year()
        context["frame_row"] = (
            MunicipalityFrame.objects.filter(year=year, kommunenummer=organisation.kommunenummer).first()
            if year
            else None
        )
        units = list(selectors.units_of(organisation, include_closed=True))
        context["units"] = [unit for unit in units if unit.is_active]
        context["closed_units"] = [unit for unit in units if not unit.is_active]
        context["cooperations"] = selectors.cooperations_of(organisation).filter(pk__in=visible_ids)
    if organisation.is_cooperation:
        context["member_links"] = CooperationMember.objects.filter(cooperation=organisation).select_related(
            "municipality"
        )
        context["steering_group"] = organisation.steering_group.select_related("municipality")
    context["staff"] = selectors.staff_of(organisation)
    context["can_manage"] = membership.can(Perm.ORG_MANAGE) and _administers(membership, organisation)
    context["today"] = timezone.localdate()
    return render(request, "organisations/detail.html", context)


@member_required(Perm.ORG_MANAGE)
def unit_create(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _managed(request, slug, Organisation.Kind.MUNICIPALITY)
    form = UnitForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        unit = services.unit_create(
            actor=_membership(request), municipality=municipality, **form.cleaned_data
        )
        messages.success(request, _("Enheten %(name)s er opprettet.") % {"name": unit.name})
        return redirect("organisations:detail", slug=municipality.slug)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "organisation": municipality, "title": _("Ny enhet")},
    )


@member_required(Perm.ORG_MANAGE)
def cooperation_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    cooperation = _managed(request, slug, Organisation.Kind.COOPERATION)
    form = CooperationMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        municipality = form.cleaned_data["municipality"]
        try:
            services.cooperation_member_add(
                actor=_membership(request), cooperation=cooperation, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(m)s er lagt til som medlem.") % {"m": municipality})
            return redirect("organisations:detail", slug=cooperation.slug)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "organisation": cooperation, "title": _("Nytt medlem i samarbeidet")},
    )


@member_required(Perm.ORG_MANAGE)
def steering_seat_add(request: HttpRequest, slug: str) -> HttpResponse:
    cooperation = _managed(request, slug, Organisation.Kind.COOPERATION)
    members = Organisation.objects.filter(pk__in=selectors.current_member_ids(cooperation))
    form = SteeringSeatForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        services.steering_seat_add(actor=_membership(request), cooperation=cooperation, **form.cleaned_data)
        messages.success(request, _("Plassen i styringsgruppen er lagt til."))
        return redirect("organisations:detail", slug=cooperation.slug)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "organisation": cooperation, "title": _("Ny plass i styringsgruppen")},
    )


@member_required(Perm.ORG_MANAGE)
def unit_update(request: HttpRequest, slug: str) -> HttpResponse:
    """Rename a unit or change its contact details."""
    unit = _managed(request, slug, Organisation.Kind.UNIT)
    assert unit.parent is not None
    form = UnitForm(request.POST or None, municipality=unit.parent, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=_membership(request), unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Enheten er oppdatert."))
            return redirect("organisations:detail", slug=unit.slug)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "organisation": unit, "title": _("Endre enheten")},
    )


@member_required(Perm.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def unit_close(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: a confirmation page (or why the unit cannot be closed yet); POST: close the unit."""
    unit = _managed(request, slug, Organisation.Kind.UNIT)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.unit_close(actor=_membership(request), unit=unit)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Enheten %(name)s er lagt ned.") % {"name": unit.name})
            return redirect("organisations:detail", slug=unit.slug)
    return render(
        request,
        "organisations/unit_close.html",
        {"unit": unit, "served": services.unit_open_person_count(unit), "errors": errors},
    )


def _member_link(cooperation: Organisation, pk: int) -> CooperationMember:
    member = (
        CooperationMember.objects.select_related("municipality", "cooperation")
        .filter(cooperation=cooperation, pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


@member_required(Perm.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def cooperation_member_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A member municipality leaves: confirm the last day of its membership."""
    cooperation = _managed(request, slug, Organisation.Kind.COOPERATION)
    member = _member_link(cooperation, pk)
    form = CooperationMemberEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cooperation_member_end(actor=_membership(request), member=member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Medlemskapet til %(m)s er avsluttet fra og med dagen etter %(d)s.")
                % {"m": member.municipality.name, "d": form.cleaned_data["valid_to"].strftime("%d.%m.%Y")},
            )
            return redirect("organisations:detail", slug=cooperation.slug)
    return render(
        request,
        "organisations/member_end.html",
        {"form": form, "organisation": cooperation, "member": member},
    )


@member_required(Perm.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def steering_seat_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET: a confirmation page; POST: remove the seat."""
    cooperation = _managed(request, slug, Organisation.Kind.COOPERATION)
    seat = (
        SteeringGroupMember.objects.select_related("municipality")
        .filter(cooperation=cooperation, pk=pk)
        .first()
    )
    if seat is None:
        raise Http404
    if request.method == "POST":
        services.steering_seat_remove(actor=_membership(request), seat=seat)
        messages.success(request, _("Plassen «%(t)s» er fjernet fra styringsgruppen.") % {"t": seat.title})
        return redirect("organisations:detail", slug=cooperation.slug)
    return render(request, "organisations/seat_remove.html", {"organisation": cooperation, "seat": seat})


@member_required(Perm.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def cooperation_agreement_update(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit the agreement flags. Changing `shares_person_data` changes who works with person data, so it
    takes a second, explicit confirmation."""
    cooperation = _managed(request, slug, Organisation.Kind.COOPERATION)
    initial = {
        "members_see_each_other": cooperation.members_see_each_other,
        "shares_person_data": cooperation.shares_person_data,
    }
    # Every box unticked posts no fields at all, so bind on the method, not on the data.
    form = AgreementForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        shares = form.cleaned_data["shares_person_data"]
        if shares != cooperation.shares_person_data and request.POST.get("bekreft") != "ja":
            members = Organisation.objects.filter(pk__in=selectors.current_member_ids(cooperation)).order_by(
                "name"
            )
            return render(
                request,
                "organisations/agreement_confirm.html",
                {
                    "organisation": cooperation,
                    "data": form.cleaned_data,
                    "members": members,
                    "staff": selectors.staff_of(cooperation),
                },
            )
        services.cooperation_agreement_update(
            actor=_membership(request), cooperation=cooperation, **form.cleaned_data
        )
        messages.success(request, _("Avtalen er oppdatert."))
        return redirect("organisations:detail", slug=cooperation.slug)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "organisation": cooperation, "title": _("Endre samarbeidsavtalen")},
    )


@member_required(Perm.ORG_VIEW)
def frame_list(request: HttpRequest) -> HttpResponse:
    years = selectors.frame_years()
    try:
        year = int(request.GET.get("aar") or (years[0] if years else 0))
    except ValueError:
        year = years[0] if years else 0
    rows = list(selectors.frame(year)) if year in years else []
    return render(
        request,
        "organisations/frame_list.html",
        {
            "years": years,
            "year": year,
            "rows": rows,
            "total_population": sum(r.population for r in rows),
            "can_import": _membership(request).can(Perm.FRAME_MANAGE),
        },
    )


@member_required(Perm.FRAME_MANAGE)
def frame_import(request: HttpRequest) -> HttpResponse:
    """Check the upload at once (errors on the form, nothing queued); a good file is imported in a task."""
    form = FrameImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            job = frame_jobs.frame_import_request(
                actor=_membership(request).user,
                year=form.cleaned_data["year"],
                text=form.cleaned_data["file"],
                filename=getattr(request.FILES.get("file"), "name", "") or "",
            )
        except frame_jobs.FrameImportBusy as exc:
            form.add_error(None, str(exc))
        except services.FrameImportError as exc:
            errors = exc.report.errors
        else:
            return redirect("organisations:frame_import_job", pk=job.pk)
    jobs = FrameImportJob.objects.defer("rows").select_related("requested_by")[:5]
    return render(request, "organisations/frame_import.html", {"form": form, "errors": errors, "jobs": jobs})


@member_required(Perm.FRAME_MANAGE)
def frame_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A frame import's state; while it runs the status part reloads itself with htmx."""
    job = FrameImportJob.objects.defer("rows").select_related("requested_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    template = (
        "organisations/_frame_import_job.html"
        if request.htmx  # type: ignore[attr-defined]
        else "organisations/frame_import_job.html"
    )
    return render(request, template, {"job": job})


@member_required(Perm.ORG_VIEW)
def group_set_list(request: HttpRequest) -> HttpResponse:
    services.ensure_builtin_group_sets()
    visible = selectors.visible_organisation_ids(_membership(request).organisation)
    group_sets = [g for g in GroupSet.objects.all() if g.owner_id is None or g.owner_id in visible]
    can_create = _membership(request).can(Perm.ORG_MANAGE) or _membership(request).can(Perm.FRAME_MANAGE)
    return render(
        request, "organisations/group_set_list.html", {"group_sets": group_sets, "can_create": can_create}
    )


@member_required(Perm.ORG_VIEW)
def group_set_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group_set = access_group_set(_membership(request), slug)
    year = selectors.latest_frame_year()
    assignments = selectors.group_assignments(year, group_set.slug) if year else {}
    names = dict(selectors.frame(year).values_list("kommunenummer", "name")) if year else {}
    groups: dict[str, list[tuple[str, str]]] = {}
    for knr, label in sorted(assignments.items()):
        groups.setdefault(label, []).append((knr, names.get(knr, "")))
    return render(
        request,
        "organisations/group_set_detail.html",
        {"group_set": group_set, "year": year, "groups": sorted(groups.items())},
    )


def _group_set_create_allowed(membership: Membership) -> bool:
    return membership.can(Perm.ORG_MANAGE) or membership.can(Perm.FRAME_MANAGE)


@member_required(Perm.ORG_VIEW)
def group_set_create(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not _group_set_create_allowed(membership):
        raise PermissionDenied
    form = GroupSetForm(request.POST or None)
    year = selectors.latest_frame_year()
    if request.method == "POST" and form.is_valid():
        known = set(selectors.frame(year).values_list("kommunenummer", flat=True)) if year else set()
        assignments, errors = services.parse_group_lines(form.cleaned_data["lines"], known)
        owner = None if membership.can(Perm.NATIONAL_AGGREGATE_VIEW) else membership.organisation
        if GroupSet.objects.filter(owner=owner, name__iexact=form.cleaned_data["name"].strip()).exists():
            form.add_error("name", _("Dere har allerede en gruppering med dette navnet."))
        if errors:
            for error in errors:
                form.add_error("lines", error)
        if form.is_valid():
            group_set = services.group_set_create(
                actor=membership,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                owner=owner,
                assignments=assignments,
            )
            messages.success(request, _("Grupperingen er opprettet."))
            return redirect("organisations:group_set_detail", slug=group_set.slug)
    return render(request, "organisations/form.html", {"form": form, "title": _("Ny gruppering")})
