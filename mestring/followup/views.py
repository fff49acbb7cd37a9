"""Pages of individual follow-up. Every page that shows a person calls `access_person` exactly once
(tjenstlig behov, one access-log row); lists log one row per person shown (selectors)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.audit.services import log_access_many
from mestring.core.forms import apply_errors
from mestring.core.permissions import member_required
from mestring.followup import feedback, selectors, services
from mestring.followup.diff import plan_conflict, plan_diff, snapshot_value
from mestring.followup.forms import (
    BoardEntryForm,
    CareTeamForm,
    CoordinatorForm,
    CrisisPlanForm,
    DecisionForm,
    EpisodeForm,
    FeedbackForm,
    GoalEditForm,
    GoalForm,
    GoalRatingForm,
    InstrumentForm,
    MappingForm,
    MeasureForm,
    MeetingCreateForm,
    MeetingForm,
    PlanDeclineForm,
    PlanForm,
    ReferralForm,
)
from mestring.followup.models import (
    BoardEntry,
    CareTeamMember,
    CrisisPlan,
    Episode,
    Goal,
    IndividualPlan,
    Instrument,
    Measure,
    Meeting,
    PlanVersion,
    Referral,
    Reminder,
)
from mestring.followup.pdf import plan_context, plan_html, plan_pdf
from mestring.followup.quality import unit_quality
from mestring.followup.rows import caseload_rows
from mestring.organisations.models import Organisation
from mestring.people.access import access_person
from mestring.people.models import Person, Relative
from mestring.people.selectors import persons_for
from mestring.stats.render import DOWNLOAD_TYPES, report_blocks, report_download


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _person(request: HttpRequest, person_id: int, what: str, *, edit: bool = False) -> Person:
    return access_person(
        request=request,
        person_id=person_id,
        what=what,
        perm=Perm.FOLLOWUP_EDIT if edit else Perm.PERSON_VIEW,
    )


def _edit(request: HttpRequest) -> bool:
    return request.method == "POST"


def _form_page(request: HttpRequest, person: Person, form: Any, title: str, **extra: Any) -> HttpResponse:
    return render(request, "followup/form.html", {"person": person, "form": form, "title": title, **extra})


# --- Caseload and FACT board ----------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def caseload(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    scope = "all" if request.GET.get("vis") == "alle" else "mine"
    raw_page = request.GET.get("side", "1")
    page = selectors.caseload(membership, scope=scope, page=int(raw_page) if raw_page.isdigit() else 1)
    today = timezone.localdate()
    reminders = list(
        Reminder.objects.filter(recipient=membership.user, done_at__isnull=True, person__in=page.persons)
        .select_related("person", "measure")
        .order_by("due_on")
    )
    return render(
        request,
        "followup/caseload.html",
        {
            "page": page,
            "rows": caseload_rows(page.persons, today),
            "scope": scope,
            "reminders": reminders,
        },
    )


def _board_unit(request: HttpRequest) -> tuple[Organisation, list[Organisation]]:
    units = list(selectors.board_units(_membership(request)))
    if not units:
        raise PermissionDenied
    wanted = request.GET.get("enhet") or request.POST.get("enhet")
    if wanted:
        for unit in units:
            if str(unit.pk) == wanted:
                return unit, units
        raise Http404
    return units[0], units


@member_required(Perm.PERSON_VIEW)
def board(request: HttpRequest) -> HttpResponse:
    unit, units = _board_unit(request)
    data = selectors.board(_membership(request), unit)
    return render(request, "followup/board.html", {"board": data, "unit": unit, "units": units})


@member_required(Perm.PERSON_VIEW)
def board_fragment(request: HttpRequest) -> HttpResponse:
    unit, _units = _board_unit(request)
    data = selectors.board(_membership(request), unit, polling=True)
    return render(request, "followup/_board.html", {"board": data, "unit": unit})


@member_required(Perm.UNIT_OVERVIEW)
def quality(request: HttpRequest) -> HttpResponse:
    """The unit's quality figures (suppressed aggregates; no person shown, nothing logged)."""
    unit, units = _board_unit(request)
    report = unit_quality(unit)
    if request.GET.get("format") in DOWNLOAD_TYPES:
        return report_download(report, request.GET["format"])
    return render(
        request,
        "followup/quality.html",
        {"report": report, "blocks": report_blocks(report), "unit": unit, "units": units},
    )


@member_required(Perm.FOLLOWUP_EDIT)
def board_add(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    unit, _units = _board_unit(request)
    persons = selectors.served_now(persons_for(membership), unit)
    from mestring.accounts.models import User

    staff = User.objects.filter(
        pk__in=Membership.objects.active().filter(organisation=unit).values("user_id")
    ) | User.objects.filter(pk=membership.user_id)
    initial = {"person": request.GET.get("person")} if request.GET.get("person") else None
    on_board = {
        entry.person_id: entry
        for entry in BoardEntry.objects.filter(unit=unit, removed_at__isnull=True, person__in=persons)
    }
    form = BoardEntryForm(
        request.POST or None, initial=initial, persons=persons, staff=staff.distinct(), on_board=on_board
    )
    if request.method != "POST":
        choices = [p for p in persons if p.pk not in on_board]
        if choices:  # the names in the choice list are a read of person data
            log_access_many(
                user=membership.user,
                membership=membership,
                persons=choices,
                what="FACT-tavle: velg person",
                purpose=selectors.LIST_PURPOSE,
            )
    if request.method == "POST" and form.is_valid():
        person = _person(request, form.cleaned_data["person"].pk, "FACT-tavle: legg til", edit=True)
        try:
            services.board_add(
                actor=membership,
                unit=unit,
                person=person,
                reason=form.cleaned_data["reason"],
                responsible=form.cleaned_data["responsible"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(p)s er satt på FACT-tavla.") % {"p": person})
            return redirect(f"{_board_url()}?enhet={unit.pk}")
    return render(
        request,
        "followup/form.html",
        {"form": form, "title": _("Sett person på FACT-tavla"), "hidden": {"enhet": unit.pk}},
    )


def _board_url() -> str:
    from django.urls import reverse

    return reverse("followup:board")


@member_required(Perm.FOLLOWUP_EDIT)
@require_http_methods(["GET", "POST"])
def board_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    """GET: a confirmation page (without JavaScript; htmx asks with hx-confirm and posts); POST: remove."""
    entry = get_object_or_404(
        BoardEntry.objects.select_related("unit", "responsible"), pk=entry_id, removed_at__isnull=True
    )
    if entry.unit not in selectors.board_units(_membership(request)):
        raise Http404
    person = _person(request, entry.person_id, "FACT-tavle: fjern", edit=True)
    entry.person = person
    if request.method != "POST":
        return render(request, "followup/board_remove.html", {"entry": entry, "unit": entry.unit})
    services.board_remove(actor=_membership(request), entry=entry)
    if request.htmx:  # type: ignore[attr-defined]
        data = selectors.board(_membership(request), entry.unit)
        return render(request, "followup/_board.html", {"board": data, "unit": entry.unit})
    messages.success(request, _("%(p)s er tatt av FACT-tavla.") % {"p": person})
    return redirect(f"{_board_url()}?enhet={entry.unit_id}")


# --- Instruments -----------------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def instruments(request: HttpRequest) -> HttpResponse:
    rows = Instrument.objects.prefetch_related("items").order_by("purpose", "name")
    return render(
        request,
        "followup/instruments.html",
        {"instruments": rows, "can_create": _membership(request).can(Perm.UNIT_OVERVIEW)},
    )


@member_required(Perm.UNIT_OVERVIEW)
def instrument_create(request: HttpRequest) -> HttpResponse:
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["items"] = data["items"].splitlines()
        try:
            instrument = services.instrument_create(owner=_membership(request).organisation, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Instrumentet %(n)s er opprettet.") % {"n": instrument.name})
            return redirect("followup:instruments")
    return render(request, "followup/form.html", {"form": form, "title": _("Nytt tilbakemeldingsinstrument")})


# --- The person's follow-up page ------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: oversikt")
    episode = selectors.open_episode(person)
    trajectories = selectors.trajectories(person)
    off_track = [t for t in trajectories if t.off_track]
    plan = IndividualPlan.objects.filter(person=person).first()
    mappings, area_rows = selectors.mapping_history(person, limit=2)
    today = timezone.localdate()
    relatives = list(person.relatives.all())
    minors = [r for r in relatives if r.is_minor_on(today)]
    crisis = CrisisPlan.objects.filter(person=person).first()
    checklist = [
        _children_item(person),
        _relatives_item(relatives, minors),
        {
            "done": bool(episode and episode.coordinator_id),
            "label": _("Koordinator er oppnevnt"),
            "detail": str(episode.coordinator) if episode and episode.coordinator else _("Ikke oppnevnt"),
            "url": "",
        },
        {
            "done": bool(
                plan and plan.status in (IndividualPlan.Status.ACTIVE, IndividualPlan.Status.DECLINED)
            ),
            "label": _("Individuell plan er tilbudt"),
            "detail": plan.get_status_display() if plan else _("Ikke påbegynt"),
            "url": "",
        },
        {
            "done": crisis is not None,
            "label": _("Kriseplan er laget"),
            "detail": "" if crisis else _("Mangler"),
            "url": "",
        },
    ]
    return render(
        request,
        "followup/person.html",
        {
            "person": person,
            "episode": episode,
            "referrals": list(episode.referrals.all()) if episode else [],
            "goals": selectors.goals_tree(person, ratings=False),
            "mappings": mappings,
            "area_rows": area_rows,
            "plan": plan,
            **_overview_measures(person, show_all=request.GET.get("tiltak") == "alle"),
            "team": selectors.care_team(person),
            "next_meeting": selectors.next_meeting(person),
            "crisis": crisis,
            "trajectories": trajectories,
            "off_track": off_track,
            "prompts": _prompts(off_track),
            "checklist": checklist,
            "reminders": list(selectors.open_reminders(person)),
            "today": today,
            "can_edit": _membership(request).can(Perm.FOLLOWUP_EDIT),
        },
    )


def _children_item(person: Person) -> dict[str, Any]:
    """ "Barn som pårørende" is done when the person has been asked and, with children under 18, the
    children (and the other parent) have been offered follow-up (`Person.children_routine_open`)."""
    detail = str(person.get_children_routine_display())
    if person.children_followup_pending:
        detail = _("%(answer)s, barna er ikke tilbudt oppfølging") % {"answer": detail}
    elif person.children_followup_offered:
        detail = _("%(answer)s, barna er tilbudt oppfølging") % {"answer": detail}
    return {
        "done": not person.children_routine_open,
        "label": _("Barn som pårørende: personen er spurt, og barn under 18 år er tilbudt oppfølging"),
        "detail": detail,
        "url": "people:children_routine",
    }


def _relatives_item(relatives: list[Relative], minors: list[Relative]) -> dict[str, Any]:
    """Done when relatives are registered and every one of them has been offered a conversation."""
    not_offered = sum(1 for r in relatives if not r.followup_offered)
    if not relatives:
        detail = _("Ingen registrert")
    elif not_offered:
        detail = _("%(n)d registrert, %(m)d ikke tilbudt samtale") % {"n": len(relatives), "m": not_offered}
    else:
        detail = _("%(n)d registrert, alle tilbudt samtale") % {"n": len(relatives)}
    if minors:
        detail = _("%(detail)s (%(m)d barn under 18)") % {"detail": detail, "m": len(minors)}
    return {
        "done": bool(relatives) and not not_offered,
        "label": _("Pårørende er registrert og tilbudt samtale"),
        "detail": detail,
        "url": "people:relatives",
    }


def _overview_measures(person: Person, *, show_all: bool) -> dict[str, Any]:
    """Ongoing, then planned measures; finished and stopped ones (years of them) only on request."""
    measures = list(Measure.objects.filter(person=person))
    current = sorted(
        (m for m in measures if m.status in Measure.OPEN),
        key=lambda m: (m.status != Measure.Status.ACTIVE, m.start_on, m.pk),
    )
    ended = sorted(
        (m for m in measures if m.status not in Measure.OPEN),
        key=lambda m: (m.end_on or m.start_on, m.pk),
        reverse=True,
    )
    return {
        "measures": current + ended if show_all else current,
        "ended_measures": len(ended),
        "all_measures": show_all,
    }


def _prompts(off_track: list[selectors.Trajectory]) -> list[Any]:
    prompts: list[Any] = []
    for trajectory in off_track:
        for prompt in feedback.SUPPORT_PROMPTS[trajectory.instrument.purpose]:
            if prompt not in prompts:
                prompts.append(prompt)
    return prompts


# --- Episodes, coordinator, referrals -------------------------------------------------------------------


@member_required(Perm.FOLLOWUP_EDIT)
def episode_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: nytt forløp", edit=True)
    membership = _membership(request)
    form = EpisodeForm(request.POST or None, person=person, membership=membership, editing=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.episode_start(
                actor=membership,
                person=person,
                phase=data["phase"],
                started_on=data["started_on"],
                units=data["units"],
                coordinator=data["coordinator"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Forløpet er startet."))
            return redirect("followup:person", person_id=person.pk)
    return _form_page(request, person, form, _("Nytt forløp"))


@member_required(Perm.FOLLOWUP_EDIT)
def episode_edit(request: HttpRequest, person_id: int, episode_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: forløp", edit=True)
    episode = get_object_or_404(Episode, pk=episode_id, person=person)
    membership = _membership(request)
    initial = {
        "phase": episode.phase,
        "started_on": episode.started_on,
        "ended_on": episode.ended_on,
        "units": list(episode.units.all()),
        "note": episode.note,
        "version": episode.version,
    }
    form = EpisodeForm(
        request.POST or None, initial=initial, person=person, membership=membership, editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ending = episode.is_open and data["ended_on"] is not None
        effects = services.episode_end_effects(person) if ending else None
        try:
            services.episode_update(
                actor=membership,
                episode=episode,
                expected_version=data["version"] or 0,
                phase=data["phase"],
                started_on=data["started_on"],
                ended_on=data["ended_on"],
                units=data["units"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if effects is None:
                messages.success(request, _("Forløpet er lagret."))
            else:
                messages.success(request, _episode_ended_message(effects))
            return redirect("followup:person", person_id=person.pk)
    phases = list(episode.phase_changes.select_related("changed_by"))
    return _form_page(request, person, form, _("Endre forløp"), phases=phases)


def _episode_ended_message(effects: services.EpisodeEndEffects) -> str:
    parts = [str(_("Forløpet er avsluttet."))]
    if effects.measures:
        parts.append(
            ngettext(
                "%(n)d åpent tiltak er satt til «Avsluttet uten å fullføres».",
                "%(n)d åpne tiltak er satt til «Avsluttet uten å fullføres».",
                effects.measures,
            )
            % {"n": effects.measures}
        )
    if effects.board_entries:
        parts.append(str(_("Personen er tatt av FACT-tavla.")))
    if effects.reminders:
        parts.append(
            ngettext(
                "%(n)d åpen påminnelse er lukket.", "%(n)d åpne påminnelser er lukket.", effects.reminders
            )
            % {"n": effects.reminders}
        )
    return " ".join(parts)


@member_required(Perm.FOLLOWUP_EDIT)
def coordinator(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: koordinator", edit=True)
    episode = selectors.open_episode(person)
    if episode is None:
        messages.warning(request, _("Start et forløp først; koordinatoren hører til forløpet."))
        return redirect("followup:episode_create", person_id=person.pk)
    membership = _membership(request)
    form = CoordinatorForm(
        request.POST or None,
        initial={"coordinator": episode.coordinator},
        person=person,
        membership=membership,
    )
    if request.method == "POST" and form.is_valid():
        services.coordinator_set(
            actor=membership,
            episode=episode,
            coordinator=form.cleaned_data["coordinator"],
            since=form.cleaned_data["since"],
        )
        messages.success(request, _("Koordinator er lagret."))
        return redirect("followup:person", person_id=person.pk)
    return _form_page(request, person, form, _("Koordinator"))


def _referral_initial(referral: Referral) -> dict[str, Any]:
    fields = (
        "direction",
        "agency",
        "agency_name",
        "reason",
        "status",
        "referred_on",
        "answered_on",
        "started_on",
    )
    return {f: getattr(referral, f) for f in fields}


@member_required(Perm.FOLLOWUP_EDIT)
def referral_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: ny henvisning", edit=True)
    episode = selectors.open_episode(person)
    if episode is None:
        messages.warning(request, _("Start et forløp først; henvisninger hører til forløpet."))
        return redirect("followup:episode_create", person_id=person.pk)
    form = ReferralForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_create(actor=_membership(request), episode=episode, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Henvisningen er registrert."))
            return redirect("followup:person", person_id=person.pk)
    return _form_page(request, person, form, _("Ny henvisning"))


@member_required(Perm.FOLLOWUP_EDIT)
def referral_edit(request: HttpRequest, person_id: int, referral_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: henvisning", edit=True)
    referral = get_object_or_404(
        Referral.objects.select_related("episode"), pk=referral_id, episode__person=person
    )
    form = ReferralForm(request.POST or None, initial=_referral_initial(referral), person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_update(actor=_membership(request), referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Henvisningen er lagret."))
            return redirect("followup:person", person_id=person.pk)
    return _form_page(request, person, form, _("Endre henvisning"))


# --- Goals ----------------------------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def goals(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: mål", edit=_edit(request))
    form = GoalForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(actor=_membership(request), person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Målet er lagret."))
            return redirect("followup:goals", person_id=person.pk)
    return render(
        request,
        "followup/goals.html",
        {"person": person, "goals": selectors.goals_tree(person), "form": form},
    )


@member_required(Perm.FOLLOWUP_EDIT)
def goal_edit(request: HttpRequest, person_id: int, goal_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: mål", edit=True)
    goal = get_object_or_404(Goal, pk=goal_id, person=person)
    form = GoalEditForm(
        request.POST or None, initial={"text": goal.text, "status": goal.status, "area": goal.area}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(actor=_membership(request), goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Målet er lagret."))
            return redirect("followup:goals", person_id=person.pk)
    return _form_page(request, person, form, _("Endre mål"))


@member_required(Perm.FOLLOWUP_EDIT)
def goal_rate(request: HttpRequest, person_id: int, goal_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: målvurdering", edit=True)
    goal = get_object_or_404(Goal, pk=goal_id, person=person)
    form = GoalRatingForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_rate(actor=_membership(request), goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Vurderingen er lagret."))
            return redirect("followup:goals", person_id=person.pk)
    return _form_page(request, person, form, _("Vurder målet: %(g)s") % {"g": goal.text[:60]})


# --- Mapping --------------------------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def mapping(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: kartlegging")
    mappings, rows = selectors.mapping_history(person)
    return render(request, "followup/mapping.html", {"person": person, "mappings": mappings, "rows": rows})


@member_required(Perm.FOLLOWUP_EDIT)
def mapping_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: ny kartlegging", edit=True)
    form = MappingForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.mapping_record(
                actor=_membership(request),
                person=person,
                ratings=form.ratings(),
                assessed_on=form.cleaned_data["assessed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Kartleggingen er lagret."))
            return redirect("followup:mapping", person_id=person.pk)
    return render(request, "followup/mapping_form.html", {"person": person, "form": form})


# --- Individual plan ------------------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def plan(request: HttpRequest, person_id: int) -> HttpResponse:
    """The plan as the newest saved version says it (the document the person agreed to), and what has changed
    in goals, measures, care team or coordinator since then (those live on their own pages)."""
    person = _person(request, person_id, "oppfølging: individuell plan")
    plan = IndividualPlan.objects.filter(person=person).first()
    versions = list(plan.versions.select_related("saved_by")) if plan else []
    current = versions[0] if versions else None
    context: dict[str, Any] = {"person": person, "episode": selectors.open_episode(person)}
    if plan is not None and current is not None:
        context |= plan_context(person=person, plan=plan, version=current)
        if plan.status != IndividualPlan.Status.DECLINED:
            since = plan_diff(current.snapshot, services.plan_snapshot(plan))
            context["since"] = None if since.is_empty else since
    context |= {
        "plan": plan,
        "versions": versions,
        "current": current,
        "diff": plan_diff(versions[1].snapshot, versions[0].snapshot) if len(versions) > 1 else None,
    }
    return render(request, "followup/plan.html", context)


def _plan_conflict(person: Person, form: PlanForm, expected: int) -> tuple[PlanForm, dict[str, Any]]:
    """After a stale save: a form bound to what the user typed, with fields only the other person changed
    taken in, the hidden version moved to the current one (so a deliberate second "Lagre" saves), and
    what the other person saved for the page to show next to the user's text."""
    plan = IndividualPlan.objects.filter(person=person).first()
    latest = plan.versions.select_related("saved_by").first() if plan else None
    if plan is None or latest is None:
        base: dict[str, Any] = {}
    elif expected:
        started = plan.versions.filter(number=expected).values_list("snapshot", flat=True).first()
        base = started or {}
    else:
        base = {f: snapshot_value(getattr(IndividualPlan(), f)) for f in services.PLAN_FIELDS}
    theirs = latest.snapshot if latest else base
    yours = {f: snapshot_value(form.cleaned_data.get(f)) for f in services.PLAN_FIELDS}
    fields = plan_conflict(base=base, theirs=theirs, yours=yours)
    data = cast(QueryDict, form.data).copy()
    data["version"] = str(plan.version if plan else 0)
    for field in fields:
        if not field.taken:
            continue
        value = theirs.get(field.name)
        if isinstance(value, bool):
            if value:
                data[field.name] = "on"
            else:
                data.pop(field.name, None)
        else:
            data[field.name] = "" if value is None else str(value)
    fresh = PlanForm(data)
    fresh.is_valid()
    fresh.add_error(
        None,
        _(
            "Noen andre har lagret endringer i planen mens du redigerte. Det du skrev er ikke lagret ennå, "
            "men står i skjemaet. Se hva som er forskjellig nedenfor, og trykk «Lagre» igjen for å lagre din "
            "versjon."
        ),
    )
    declined = plan is not None and plan.status == IndividualPlan.Status.DECLINED
    return fresh, {"conflict": fields, "theirs": latest, "theirs_declined": declined}


@member_required(Perm.FOLLOWUP_EDIT)
def plan_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: rediger plan", edit=True)
    plan = IndividualPlan.objects.filter(person=person).first()
    initial: dict[str, Any] = {"version": plan.version if plan else 0, "person_participated": True}
    if plan is not None:
        initial.update({f: getattr(plan, f) for f in services.PLAN_FIELDS})
    form = PlanForm(request.POST or None, initial=initial)
    extra: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        change_note = data.pop("change_note")
        try:
            version = services.plan_save(
                actor=_membership(request),
                person=person,
                expected_version=expected,
                change_note=change_note,
                **data,
            )
        except services.StaleEditError:
            form, extra = _plan_conflict(person, form, expected)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Planen er lagret som versjon %(n)d.") % {"n": version.number})
            return redirect("followup:plan", person_id=person.pk)
    if extra.get("conflict") is not None:
        plan = IndividualPlan.objects.filter(person=person).first()
    latest = plan.versions.first() if plan else None
    if latest is not None and plan is not None and plan.status != IndividualPlan.Status.DECLINED:
        pending = plan_diff(latest.snapshot, services.plan_snapshot(plan))
        extra["pending"] = None if pending.is_empty else pending
        extra["latest"] = latest
    return render(
        request,
        "followup/plan_form.html",
        {"person": person, "form": form, "title": _("Individuell plan"), **extra},
    )


@member_required(Perm.FOLLOWUP_EDIT)
def plan_decline(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: takk nei til plan", edit=True)
    plan = IndividualPlan.objects.filter(person=person).first()
    form = PlanDeclineForm(request.POST or None, initial={"version": plan.version if plan else 0})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_decline(
                actor=_membership(request),
                person=person,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                declined_on=form.cleaned_data["declined_on"],
            )
        except services.StaleEditError:
            # Keep what was typed, move the hidden version on: a deliberate second "Lagre" records it.
            data = cast(QueryDict, form.data).copy()
            data["version"] = str(plan.version if plan else 0)
            form = PlanDeclineForm(data)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Noen andre har lagret endringer i planen mens du fylte ut dette. Se gjerne planen "
                    "først. Trykk «Lagre» igjen for å registrere at personen takker nei likevel."
                ),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Det er registrert at personen takket nei til individuell plan."))
            return redirect("followup:plan", person_id=person.pk)
    return _form_page(
        request, person, form, _("Personen takker nei til individuell plan"), back="followup:plan"
    )


def _version(person: Person, number: Any) -> PlanVersion:
    try:
        return PlanVersion.objects.select_related("saved_by", "plan").get(
            plan__person=person, number=int(number)
        )
    except (PlanVersion.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


@member_required(Perm.PERSON_VIEW)
def plan_version(request: HttpRequest, person_id: int, number: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: planversjon")
    version = _version(person, number)
    # A page in the site layout; the PDF's HTML (inline print styles) is for WeasyPrint only.
    return render(
        request, "followup/plan_version.html", plan_context(person=person, plan=version.plan, version=version)
    )


@member_required(Perm.PERSON_VIEW)
def plan_diff_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: endringer i plan")
    numbers = list(PlanVersion.objects.filter(plan__person=person).values_list("number", flat=True))
    if not numbers:
        raise Http404
    newest = max(numbers)
    to_number = request.GET.get("til") or newest
    from_number = request.GET.get("fra") or max(int(to_number) - 1 if str(to_number).isdigit() else 1, 1)
    new = _version(person, to_number)
    old = _version(person, from_number)
    return render(
        request,
        "followup/plan_diff.html",
        {
            "person": person,
            "old": old,
            "new": new,
            "diff": plan_diff(old.snapshot, new.snapshot),
            "numbers": numbers,
        },
    )


@member_required(Perm.PERSON_VIEW)
def plan_pdf_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: plan som PDF")
    version = PlanVersion.objects.filter(plan__person=person).select_related("plan", "saved_by").first()
    if version is None:
        raise Http404
    pdf = plan_pdf(plan_html(person=person, plan=version.plan, version=version))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="individuell-plan-v{version.number}.pdf"'
    return response


# --- Measures -------------------------------------------------------------------------------------------


@member_required(Perm.FOLLOWUP_EDIT)
def measure_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: nytt tiltak", edit=True)
    membership = _membership(request)
    initial = {"goal": request.GET.get("mal")} if request.GET.get("mal") else None
    form = MeasureForm(request.POST or None, initial=initial, person=person, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            services.measure_create(actor=membership, person=person, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Tiltaket er lagret."))
            return redirect("followup:person", person_id=person.pk)
    return _form_page(request, person, form, _("Nytt tiltak"))


@member_required(Perm.FOLLOWUP_EDIT)
def measure_edit(request: HttpRequest, person_id: int, measure_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: tiltak", edit=True)
    measure = get_object_or_404(Measure, pk=measure_id, person=person)
    membership = _membership(request)
    initial = {f: getattr(measure, f) for f in services.MEASURE_FIELDS} | {"version": measure.version}
    form = MeasureForm(request.POST or None, initial=initial, person=person, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version") or 0
        try:
            services.measure_update(actor=membership, measure=measure, expected_version=expected, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Tiltaket er lagret."))
            return redirect("followup:person", person_id=person.pk)
    return _form_page(request, person, form, _("Endre tiltak"))


# --- Care team and meetings -----------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def care_team(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: ansvarsgruppe", edit=_edit(request))
    membership = _membership(request)
    form = CareTeamForm(request.POST or None, person=person, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_team_add(actor=membership, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Deltakeren er lagt til i ansvarsgruppen."))
            return redirect("followup:care_team", person_id=person.pk)
    return render(
        request,
        "followup/care_team.html",
        {
            "person": person,
            "team": selectors.care_team(person, active_only=False),
            "meetings": list(Meeting.objects.filter(person=person).order_by("-starts_at")),
            "form": form,
            "today": timezone.localdate(),
        },
    )


@member_required(Perm.FOLLOWUP_EDIT)
@require_http_methods(["GET", "POST"])
def care_team_end(request: HttpRequest, person_id: int, member_id: int) -> HttpResponse:
    """GET: a confirmation page; POST: end the membership (a staff member loses tjenstlig behov)."""
    person = _person(request, person_id, "oppfølging: ansvarsgruppe", edit=True)
    member = get_object_or_404(CareTeamMember, pk=member_id, person=person, valid_to__isnull=True)
    if request.method != "POST":
        return render(request, "followup/care_team_end.html", {"person": person, "member": member})
    services.care_team_end(actor=_membership(request), member=member)
    messages.success(request, _("%(m)s er ikke lenger med i ansvarsgruppen.") % {"m": member.name})
    return redirect("followup:care_team", person_id=person.pk)


@member_required(Perm.FOLLOWUP_EDIT)
def meeting_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: nytt møte", edit=True)
    form = MeetingCreateForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=_membership(request), person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Møtet er satt opp."))
            return redirect("followup:meeting", person_id=person.pk, meeting_id=meeting.pk)
    return _form_page(request, person, form, _("Nytt møte i ansvarsgruppen"))


@member_required(Perm.PERSON_VIEW)
def meeting(request: HttpRequest, person_id: int, meeting_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: møte", edit=_edit(request))
    meeting = get_object_or_404(Meeting, pk=meeting_id, person=person)
    form = _meeting_form(request.POST or None, person, meeting)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.meeting_update(
                actor=_membership(request),
                meeting=meeting,
                expected_version=data.pop("version"),
                present_member_ids=[int(pk) for pk in data.pop("present")],
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Møtet er lagret."))
            return redirect("followup:meeting", person_id=person.pk, meeting_id=meeting.pk)
    return _meeting_page(request, person, meeting, form, DecisionForm(person=person, prefix="beslutning"))


def _meeting_form(data: Any, person: Person, meeting: Meeting) -> MeetingForm:
    members = selectors.care_team(person, active_only=False)
    present = [str(a.member_id) for a in meeting.attendance.all() if a.present]
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at),
        "status": meeting.status,
        "place": meeting.place,
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "next_meeting_on": meeting.next_meeting_on,
        "version": meeting.version,
        "present": present,
    }
    return MeetingForm(data, initial=initial, members=members, person=person)


def _meeting_page(
    request: HttpRequest, person: Person, meeting: Meeting, form: MeetingForm, decision_form: DecisionForm
) -> HttpResponse:
    """The meeting page; a decision form with errors is shown open, in place (not as a bare form)."""
    return render(
        request,
        "followup/meeting.html",
        {
            "person": person,
            "meeting": meeting,
            "form": form,
            "decision_form": decision_form,
            "decisions": list(meeting.decisions.select_related("measure")),
            "attendance": list(meeting.attendance.select_related("member")),
            "since": selectors.changes_since_previous_meeting(meeting),
        },
    )


@member_required(Perm.FOLLOWUP_EDIT)
def decision_add(request: HttpRequest, person_id: int, meeting_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: beslutning i møte", edit=True)
    meeting = get_object_or_404(Meeting, pk=meeting_id, person=person)
    form = DecisionForm(request.POST or None, person=person, prefix="beslutning")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kwargs: dict[str, Any] = {}
        if data["action"] == "create":
            kwargs["create_measure"] = {
                "title": data["title"],
                "responsible": data["responsible"],
                "end_on": data["end_on"],
                "status": data["status"] or Measure.Status.PLANNED,
            }
        elif data["action"] == "change":
            changes: dict[str, Any] = {}
            if data["end_on"]:
                changes["end_on"] = data["end_on"]
            if data["status"]:
                changes["status"] = data["status"]
            kwargs["change_measure"] = data["measure"]
            kwargs["measure_changes"] = changes
        try:
            services.decision_add(actor=_membership(request), meeting=meeting, text=data["text"], **kwargs)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Beslutningen er lagret."))
            return redirect("followup:meeting", person_id=person.pk, meeting_id=meeting.pk)
    # GET, or errors: the meeting page with this decision form open (bound, with its errors)
    return _meeting_page(request, person, meeting, _meeting_form(None, person, meeting), form)


# --- Crisis plan ----------------------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def crisis_plan(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: kriseplan")
    crisis = CrisisPlan.objects.filter(person=person).select_related("updated_by").first()
    team = [m for m in selectors.care_team(person) if m.phone]
    return render(request, "followup/crisis_plan.html", {"person": person, "crisis": crisis, "team": team})


@member_required(Perm.FOLLOWUP_EDIT)
def crisis_plan_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: rediger kriseplan", edit=True)
    crisis = CrisisPlan.objects.filter(person=person).first()
    initial: dict[str, Any] = {"version": crisis.version if crisis else 0}
    if crisis is not None:
        initial |= {
            f: getattr(crisis, f) for f in ("warning_signs", "what_helps", "what_i_do", "avoid", "contacts")
        }
    form = CrisisPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.crisis_plan_save(
                actor=_membership(request), person=person, expected_version=data.pop("version"), **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Kriseplanen er lagret."))
            return redirect("followup:crisis_plan", person_id=person.pk)
    return _form_page(request, person, form, _("Kriseplan"), back="followup:crisis_plan")


# --- Feedback -------------------------------------------------------------------------------------------


@member_required(Perm.PERSON_VIEW)
def feedback_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: tilbakemelding")
    trajectories = selectors.trajectories(person)
    off_track = [t for t in trajectories if t.off_track]
    return render(
        request,
        "followup/feedback.html",
        {
            "person": person,
            "trajectories": trajectories,
            "off_track": off_track,
            "prompts": _prompts(off_track),
        },
    )


@member_required(Perm.FOLLOWUP_EDIT)
def feedback_answer(request: HttpRequest, person_id: int, slug: str) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: registrer tilbakemelding", edit=True)
    instrument = get_object_or_404(Instrument.objects.prefetch_related("items"), slug=slug, is_active=True)
    form = FeedbackForm(request.POST or None, instrument=instrument, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.feedback_record(
                actor=_membership(request),
                person=person,
                instrument=instrument,
                values=form.values(),
                answered_on=form.cleaned_data["answered_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if row.off_track:
                messages.warning(
                    request,
                    _("Skåren %(s)s er utenfor forventet bånd: personen er ikke i rute. Se forslagene under.")
                    % {"s": feedback.score_text(row.score)},
                )
            else:
                messages.success(
                    request,
                    _("Tilbakemeldingen er lagret (skår %(s)s).") % {"s": feedback.score_text(row.score)},
                )
            return redirect("followup:feedback", person_id=person.pk)
    return render(
        request, "followup/feedback_form.html", {"person": person, "form": form, "instrument": instrument}
    )


# --- Reminders ------------------------------------------------------------------------------------------


@member_required(Perm.FOLLOWUP_EDIT)
@require_POST
def reminder_done(request: HttpRequest, person_id: int, reminder_id: int) -> HttpResponse:
    person = _person(request, person_id, "oppfølging: påminnelse", edit=True)
    reminder = get_object_or_404(Reminder, pk=reminder_id, person=person)
    services.reminder_done(actor=_membership(request), reminder=reminder)
    messages.success(request, _("Påminnelsen er merket som ferdig."))
    target = request.POST.get("next", "")
    if not target.startswith("/oppfolging/") or "//" in target:
        target = f"/oppfolging/person/{person.pk}/"
    return redirect(target)
