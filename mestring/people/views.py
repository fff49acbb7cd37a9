"""Person record pages. Every request that shows person data goes through `access_person` (one log row)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from mestring.accounts.models import Membership, User
from mestring.accounts.roles import Perm, Role, role_has
from mestring.audit.history import describe_all
from mestring.audit.models import ChangeLog
from mestring.audit.services import log_access_many
from mestring.core.forms import apply_errors, message_errors
from mestring.core.permissions import member_required
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import active_units
from mestring.people import crypto, fnr, selectors, services
from mestring.people.access import access_person, person_pk
from mestring.people.forms import (
    BreakGlassForm,
    CareTeamForm,
    ChildrenRoutineForm,
    ConsentForm,
    PersonCreateForm,
    PersonEditForm,
    RelativeForm,
    ReviewForm,
    ServiceRelationForm,
    ShareForm,
)
from mestring.people.models import (
    BreakGlassGrant,
    CareTeamMembership,
    Person,
    ServiceRelation,
)

PAGE_SIZE = 50


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _person(request: HttpRequest, pk: int, what: str, perm: str = Perm.PERSON_VIEW) -> Person:
    return access_person(request=request, person_id=pk, what=what, perm=perm)


def _posted_id(request: HttpRequest, name: str) -> int:
    """A posted row id; 404 when it is not a sensible id (never a 500)."""
    return person_pk(request.POST.get(name))


@member_required(Perm.PERSON_VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    # The search form posts, so a fødselsnummer never lands in URLs or server logs; paging links use GET.
    params = request.POST if request.method == "POST" else request.GET
    query = params.get("q", "").replace("\x00", "").strip()[:100]
    status = params.get("status", "active")
    queryset = selectors.persons_for(membership)
    if status in (Person.Status.ACTIVE, Person.Status.ENDED):
        queryset = queryset.filter(status=status)
    queryset = selectors.search(queryset, query)
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("side"))
    persons = list(page.object_list)
    log_access_many(
        user=request.user,  # type: ignore[arg-type]
        membership=membership,
        persons=persons,
        what=_("personliste/søk"),
        purpose=_("oversikt"),
    )
    context: dict[str, Any] = {"persons": persons, "page": page, "query": query, "status": status}
    if not persons and query:
        context["break_glass_pk"] = _break_glass_candidate(membership, query)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "people/_results.html", context)
    context["can_create"] = membership.can(Perm.PERSON_EDIT)
    if membership.can(Perm.BREAK_GLASS_REVIEW):
        context["unreviewed"] = (
            selectors.break_glass_for_review(membership).filter(reviewed_at__isnull=True).count()
        )
    return render(request, "people/list.html", context)


def _break_glass_candidate(membership: Membership, query: str) -> int | None:
    """An exact fødselsnummer search without hits: is there a person the actor could break the glass for?

    Tells only that the record exists in one of the actor's own municipalities (never elsewhere).
    """
    compact = fnr.normalise(query)
    if not (compact.isdigit() and len(compact) == 11):
        return None
    person = Person.objects.filter(national_id_hmac=crypto.lookup_hash(compact)).first()
    if person is None or not selectors.can_break_glass(membership, person):
        return None
    return person.pk


def _create_choices(membership: Membership) -> tuple[Any, Any]:
    scope = selectors.break_glass_scope_ids(membership)
    municipalities = Organisation.objects.filter(pk__in=scope, kind=Organisation.Kind.MUNICIPALITY)
    return municipalities, active_units(scope)


@member_required(Perm.PERSON_EDIT)
def person_create(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    municipalities, units = _create_choices(membership)
    own = membership.organisation
    initial = {}
    if own.kind == Organisation.Kind.UNIT:
        initial = {"organisation": own.parent_id, "unit": own.pk}
    form = PersonCreateForm(request.POST or None, municipalities=municipalities, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.person_create(actor=membership, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s er registrert.") % {"name": person.full_name})
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "title": _("Registrer person")})


@member_required(Perm.PERSON_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, _("personside"))
    membership = _membership(request)
    grant = selectors.active_break_glass(membership, person)
    context = {
        "person": person,
        "today": timezone.localdate(),
        "age": person.age_on(timezone.localdate()),
        "services": ServiceRelation.objects.active()
        .filter(person=person)
        .select_related("unit", "unit__parent"),
        "team": CareTeamMembership.objects.active().filter(person=person).select_related("user"),
        "consents": selectors.consent_rows(person),
        "relatives": person.relatives.all(),
        "grant": grant if grant and not selectors.has_service_need(membership, person) else None,
        "can_edit": membership.can(Perm.PERSON_EDIT),
    }
    return render(request, "people/detail.html", context)


@member_required(Perm.PERSON_VIEW)
def national_id_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: reveal the national id (its own log row: 'fødselsnummer vist')."""
    person = _person(request, pk, _("fødselsnummer vist"))
    return render(request, "people/_national_id.html", {"person": person})


@member_required(Perm.PERSON_EDIT)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, _("endre personopplysninger"), perm=Perm.PERSON_EDIT)
    if person.status != Person.Status.ACTIVE:
        messages.warning(request, _("Oppfølgingen er avsluttet; opplysningene kan ikke endres."))
        return redirect("people:detail", pk=person.pk)
    fields = [
        "first_name",
        "last_name",
        "birth_year",
        "gender",
        "phone",
        "email",
        "address",
        "preferred_meeting_places",
        "interpreter_needed",
        "interpreter_language",
        "confidential_address",
    ]
    initial: dict[str, Any] = {f: getattr(person, f) for f in fields}
    initial["version"] = person.version
    form = PersonEditForm(request.POST or None, initial=initial, has_national_id=person.has_national_id)
    if person.has_national_id:
        for name in ("birth_year", "gender"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        national_id = data.pop("national_id", "")
        if person.has_national_id:
            data.pop("birth_year", None)
            data.pop("gender", None)
        try:
            services.person_update(
                actor=_membership(request),
                person=person,
                expected_version=version,
                national_id=national_id or None,
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "person": person, "title": _("Endre opplysninger om %(n)s") % {"n": person.full_name}},
    )


@member_required(Perm.PERSON_VIEW)
def consents(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    person = _person(request, pk, _("samtykker"))
    consent_form = ConsentForm(
        request.POST if request.POST.get("form") == "consent" else None,
        initial={"decided_on": timezone.localdate(), "given": "1"},
        prefix="c",
    )
    if request.method == "POST" and request.POST.get("form") == "consent":
        if not membership.can(Perm.PERSON_EDIT):
            raise Http404
        if consent_form.is_valid():
            try:
                services.consent_record(actor=membership, person=person, **consent_form.cleaned_data)
            except ValidationError as exc:
                apply_errors(consent_form, exc)
            else:
                messages.success(request, _("Samtykket er registrert."))
                return redirect("people:consents", pk=person.pk)
    return render(
        request,
        "people/consents.html",
        {
            "person": person,
            "status": selectors.consent_rows(person),
            "history": person.consents.select_related("recorded_by"),
            "disclosures": person.disclosures.select_related("shared_by"),
            "consent_form": consent_form,
            "share_form": ShareForm(prefix="s"),
        },
    )


@member_required(Perm.PERSON_EDIT)
def share(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    person = _person(request, pk, _("deling av opplysninger"), perm=Perm.PERSON_EDIT)
    form = ShareForm(request.POST or None, prefix="s")
    if request.method == "POST" and form.is_valid():
        try:
            services.share_information(actor=membership, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Delingen er registrert."))
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponseClientRedirect(reverse("people:consents", kwargs={"pk": person.pk}))
            return redirect("people:consents", pk=person.pk)
    template = "people/_share_form.html" if request.htmx else "people/share.html"  # type: ignore[attr-defined]
    return render(request, template, {"person": person, "share_form": form})


@member_required(Perm.PERSON_VIEW)
def relatives(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    person = _person(request, pk, _("pårørende"))
    form = RelativeForm(request.POST if request.POST.get("form") == "relative" else None)
    if request.method == "POST":
        if not membership.can(Perm.PERSON_EDIT):
            raise Http404
        if form.is_valid():
            try:
                services.relative_add(actor=membership, person=person, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Pårørende er lagt til."))
                return redirect("people:relatives", pk=person.pk)
    today = timezone.localdate()
    rows = [(r, r.is_minor_on(today)) for r in person.relatives.all()]
    return render(
        request,
        "people/relatives.html",
        {
            "person": person,
            "rows": rows,
            "form": form,
            "routine_form": ChildrenRoutineForm(
                initial={
                    "answer": person.children_routine,
                    "followup_offered": person.children_followup_offered,
                }
            ),
        },
    )


@member_required(Perm.PERSON_EDIT)
def relative_remove(request: HttpRequest, pk: int, relative_pk: int) -> HttpResponse:
    """GET: a confirmation page; POST: remove the relative (written to the change log)."""
    person = _person(request, pk, _("fjerne pårørende"), perm=Perm.PERSON_EDIT)
    relative = person.relatives.filter(pk=person_pk(relative_pk)).first()
    if relative is None:
        raise Http404
    if request.method == "POST":
        services.relative_remove(actor=_membership(request), relative=relative)
        messages.success(request, _("%(name)s er fjernet som pårørende.") % {"name": relative.name})
        return redirect("people:relatives", pk=person.pk)
    return render(
        request,
        "people/relative_remove.html",
        {"person": person, "relative": relative, "minor": relative.is_minor_on(timezone.localdate())},
    )


@member_required(Perm.PERSON_VIEW)
def children_routine(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx fragment (also a page without htmx): the "barn som pårørende" routine."""
    membership = _membership(request)
    person = _person(request, pk, _("barn som pårørende"))
    form = ChildrenRoutineForm(
        request.POST or None,
        initial={"answer": person.children_routine, "followup_offered": person.children_followup_offered},
    )
    saved = False
    if request.method == "POST":
        if not membership.can(Perm.PERSON_EDIT):
            raise Http404
        if form.is_valid():
            try:
                person = services.children_routine_answer(
                    actor=membership, person=person, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                saved = True
                if not request.htmx:  # type: ignore[attr-defined]
                    messages.success(request, _("Svaret er lagret."))
                    return redirect("people:detail", pk=person.pk)
    template = "people/_children_routine.html" if request.htmx else "people/children_routine.html"  # type: ignore[attr-defined]
    return render(request, template, {"person": person, "routine_form": form, "saved": saved})


def _team_users(membership: Membership) -> Any:
    scope = selectors.break_glass_scope_ids(membership)
    person_roles = [role for role in Role.values if role_has(role, Perm.PERSON_VIEW)]
    return (
        User.objects.filter(
            Q(memberships__organisation__parent_id__in=scope)
            | Q(memberships__organisation_id=membership.organisation_id),
            memberships__role__in=person_roles,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


@member_required(Perm.PERSON_VIEW)
def care_team(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    person = _person(request, pk, _("team og tjenester"))
    form = CareTeamForm(
        request.POST if request.POST.get("form") == "team" else None, users=_team_users(membership)
    )
    scope = selectors.break_glass_scope_ids(membership)
    unit_form = ServiceRelationForm(
        request.POST if request.POST.get("form") == "service" else None,
        units=active_units(scope),
        prefix="t",
    )
    if request.method == "POST":
        if not membership.can(Perm.PERSON_EDIT):
            raise Http404
        try:
            if request.POST.get("end_user"):
                user = User.objects.filter(pk=_posted_id(request, "end_user")).first()
                if user is None:
                    raise Http404
                services.care_team_member_end(actor=membership, person=person, user=user)
                messages.success(request, _("%(u)s er tatt ut av teamet.") % {"u": user})
                return redirect("people:care_team", pk=person.pk)
            if request.POST.get("end_service"):
                relation = (
                    ServiceRelation.objects.active()
                    .filter(person=person, pk=_posted_id(request, "end_service"))
                    .first()
                )
                if relation is None:
                    raise Http404
                services.service_relation_end(actor=membership, relation=relation)
                messages.success(request, _("Tjenesten er avsluttet for personen."))
                return redirect("people:care_team", pk=person.pk)
            if request.POST.get("form") == "service" and unit_form.is_valid():
                services.service_relation_add(actor=membership, person=person, **unit_form.cleaned_data)
                messages.success(request, _("Tjenesten er lagt til."))
                return redirect("people:care_team", pk=person.pk)
            if request.POST.get("form") == "team" and form.is_valid():
                services.care_team_member_add(actor=membership, person=person, **form.cleaned_data)
                messages.success(request, _("Teamet er oppdatert."))
                return redirect("people:care_team", pk=person.pk)
        except ValidationError as exc:
            apply_errors(unit_form if request.POST.get("form") == "service" else form, exc)
    return render(
        request,
        "people/care_team.html",
        {
            "person": person,
            "team": CareTeamMembership.objects.filter(person=person).select_related("user"),
            "services": ServiceRelation.objects.filter(person=person).select_related("unit"),
            "form": form,
            "unit_form": unit_form,
            "today": timezone.localdate(),
        },
    )


@member_required(Perm.PERSON_VIEW)
def history(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, _("endringshistorikk"))
    records = ChangeLog.objects.filter(person=person).order_by("-at", "-pk")[:500]
    return render(request, "people/history.html", {"person": person, "entries": describe_all(records)})


@member_required(Perm.PERSON_EDIT)
def end_followup(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    person = _person(request, pk, _("avslutte oppfølging"), perm=Perm.PERSON_EDIT)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reopen":
                services.person_reopen(actor=membership, person=person)
                messages.success(request, _("Oppfølgingen er gjenåpnet."))
            else:
                services.person_end(actor=membership, person=person)
                messages.success(request, _("Oppfølgingen er avsluttet."))
        except ValidationError as exc:
            message_errors(request, exc)
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/end.html", {"person": person})


@member_required(Perm.PERSON_VIEW)
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    """Emergency access. Shows no person data before the grant; 404 outside the actor's municipalities."""
    membership = _membership(request)
    person = Person.objects.filter(pk=person_pk(pk)).first()
    if person is None or not selectors.can_break_glass(membership, person):
        raise Http404
    if selectors.has_service_need(membership, person):
        return redirect("people:detail", pk=person.pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_open(actor=membership, person=person, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.warning(
                request,
                _("Du har brutt glasset. Tilgangen varer i %(h)d timer, logges og vises for enhetslederen.")
                % {"h": services.break_glass_hours()},
            )
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/break_glass.html",
        {"person_pk": person.pk, "form": form, "hours": services.break_glass_hours()},
    )


@member_required(Perm.BREAK_GLASS_REVIEW)
def break_glass_review(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    grants = selectors.break_glass_for_review(membership)
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            grant = grants.filter(pk=form.cleaned_data["grant"]).first()
            if grant is None:
                raise Http404
            try:
                services.break_glass_review(actor=membership, grant=grant, note=form.cleaned_data["note"])
            except ValidationError as exc:
                message_errors(request, exc)
            else:
                messages.success(request, _("Tilgangen er merket som gjennomgått."))
        elif "grant" in form.errors:
            raise Http404
        else:
            for message in form.errors.get("note", []):
                messages.error(request, _("Merknad: %(m)s Tilgangen er ikke merket.") % {"m": message})
        return redirect("people:break_glass_review")
    show = request.GET.get("vis", "ubehandlet")
    if show != "alle":
        grants = grants.filter(reviewed_at__isnull=True)
    return render(
        request,
        "people/break_glass_review.html",
        {"grants": grants[:200], "show": show, "now": timezone.now(), "grant_model": BreakGlassGrant},
    )
