"""Every write of the follow-up app. Keyword-only, typed, one transaction each, change history written.

`actor` is the acting `Membership` (or a `User`/None for system jobs and demo loading). Access to the
person (tjenstlig behov) is checked by the caller through `mestring.people.access.access_person` first.
Services raise `ValidationError` with Norwegian messages keyed by field; records people edit together
(episode, plan, measure, meeting, crisis plan) take `expected_version` and raise `StaleEditError` when
someone saved in between.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from mestring.accounts.models import Membership, User
from mestring.audit.services import record_change
from mestring.core.errors import StaleEditError
from mestring.followup import feedback
from mestring.followup.models import (
    GOAL_TEXT_MAX_LENGTH,
    Agency,
    Attendance,
    BoardEntry,
    CareTeamMember,
    CrisisPlan,
    Decision,
    Episode,
    FeedbackScore,
    Goal,
    GoalRating,
    IndividualPlan,
    Instrument,
    InstrumentItem,
    MappingArea,
    Measure,
    Meeting,
    PersonMapping,
    PhaseChange,
    PlanVersion,
    Referral,
    Reminder,
)
from mestring.mapping.areas import AREA_CODES, AREAS, Phase, Rating
from mestring.organisations.models import Organisation
from mestring.people import services as people_services
from mestring.people.models import Person, ServiceRelation

Actor = Membership | User | None


def _user(actor: Actor) -> User | None:
    return actor.user if isinstance(actor, Membership) else actor


def _today() -> date:
    return timezone.localdate()


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def _goal_name(goal: Goal) -> str:
    """A goal as the change log names it: its text, shortened (the log is read in the change history)."""
    return Truncator(goal.text).chars(GOAL_LOG_LENGTH)


GOAL_LOG_LENGTH = 80


def _log(actor: Actor, person: Person, obj: Any, action: str, changes: dict[str, Any] | None = None) -> None:
    record_change(user=_user(actor), person=person, obj=obj, action=action, changes=changes or {})


def _apply(obj: Model, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set attributes; return {field: [old, new]} for those that changed."""
    changes: dict[str, list[Any]] = {}
    for field, value in values.items():
        old = getattr(obj, field)
        if old != value:
            changes[field] = [_json(old), _json(value)]
            setattr(obj, field, value)
    return changes


def _close_reminders(**filters: Any) -> None:
    Reminder.objects.filter(done_at__isnull=True, **filters).update(done_at=timezone.now())


@transaction.atomic
def reminder_done(*, actor: Actor, reminder: Reminder) -> Reminder:
    if reminder.done_at is None:
        reminder.done_at = timezone.now()
        reminder.save(update_fields=["done_at"])
        _log(actor, reminder.person, reminder, "ended", {"kind": [reminder.kind, None]})
    return reminder


def _check_version(model: type[Model], pk: int, expected_version: int) -> None:
    """Lock the row and compare versions (optimistic locking; the lock makes the check-and-bump atomic)."""
    current = (
        model._default_manager.select_for_update().filter(pk=pk).values_list("version", flat=True).first()
    )  # type: ignore[attr-defined]
    if current is None or current != expected_version:
        raise StaleEditError()


def _text(value: str, field: str, *, required: bool = True, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("Feltet må fylles ut.")]})
    if max_length is not None and len(value) > max_length:
        raise ValidationError({field: [_("Teksten er for lang (høyst %(n)d tegn).") % {"n": max_length}]})
    return value


def _period(start: date, end: date | None, field: str = "ended_on") -> None:
    if end is not None and end < start:
        raise ValidationError({field: [_("Sluttdatoen kan ikke være før startdatoen.")]})


# No follow-up record is older than this when the person's birth is unknown.
EARLIEST_DATE = date(1900, 1, 1)


def earliest_date(person: Person) -> date:
    """The first day a follow-up date about the person can be: the birth date, 1 January of the birth year, or
    `EARLIEST_DATE` when neither is known."""
    if person.birth_date:
        return max(person.birth_date, EARLIEST_DATE)
    if person.birth_year:
        return max(date(person.birth_year, 1, 1), EARLIEST_DATE)
    return EARLIEST_DATE


def date_errors(person: Person, day: date | None, *, past: bool = False) -> list[str]:
    """Why `day` cannot be a date in the person's follow-up: before the person was born (or before 1900), or,
    for something that has happened (`past`), after today. Shared by the forms and the services."""
    if day is None:
        return []
    if past and day > _today():
        return [_("Datoen kan ikke være fram i tid.")]
    earliest = earliest_date(person)
    if day < earliest:
        if earliest == EARLIEST_DATE:
            return [_("Datoen kan ikke være før %(d)s.") % {"d": earliest.strftime("%d.%m.%Y")}]
        return [
            _("Datoen kan ikke være før personen ble født (%(d)s).")
            % {"d": earliest.strftime("%d.%m.%Y") if person.birth_date else earliest.year}
        ]
    return []


def _check_dates(person: Person, *, past: bool = False, **days: date | None) -> None:
    errors = {
        field: messages for field, day in days.items() if (messages := date_errors(person, day, past=past))
    }
    if errors:
        raise ValidationError(errors)


# --- Episodes, coordinator, referrals --------------------------------------------------------------


def _check_units(units: Iterable[Organisation], *, kept: Iterable[int] = ()) -> list[Organisation]:
    """Units for an episode; a closed unit may stay where it is (`kept` ids) but not be added."""
    units = list(units)
    kept = set(kept)
    for unit in units:
        if unit.kind != Organisation.Kind.UNIT:
            raise ValidationError({"units": [_("Velg tjenester/enheter, ikke kommuner eller samarbeid.")]})
        if not unit.is_active and unit.pk not in kept:
            raise ValidationError({"units": [_("%(unit)s er lagt ned.") % {"unit": unit.name}]})
    return units


@transaction.atomic
def episode_start(
    *,
    actor: Actor,
    person: Person,
    phase: str,
    started_on: date | None = None,
    units: Iterable[Organisation] = (),
    coordinator: User | None = None,
    note: str = "",
) -> Episode:
    """Start a follow-up episode. A person has at most one open episode."""
    if phase not in Phase.values:
        raise ValidationError({"phase": [_("Velg en fase i forløpet.")]})
    if Episode.objects.select_for_update().filter(person=person, ended_on__isnull=True).exists():
        raise ValidationError(_("Personen har allerede et åpent forløp. Avslutt det før du starter et nytt."))
    start = started_on or _today()
    _check_dates(person, started_on=start)
    units = _check_units(units)
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                person=person,
                organisation=person.organisation,
                phase=phase,
                started_on=start,
                note=note.strip(),
                created_by=_user(actor),
            )
    except IntegrityError:
        raise ValidationError(_("Personen har allerede et åpent forløp.")) from None
    episode.units.set(units)
    for unit in units:
        people_services.service_relation_add(actor=actor, person=person, unit=unit, valid_from=start)
    PhaseChange.objects.create(episode=episode, phase=phase, changed_on=start, changed_by=_user(actor))
    _log(actor, person, episode, "created", {"phase": [None, phase], "started_on": [None, start.isoformat()]})
    if coordinator is not None:
        coordinator_set(actor=actor, episode=episode, coordinator=coordinator, since=start)
        episode.refresh_from_db()
    return episode


def _end_unit_relations(*, actor: Actor, episode: Episode, unit_ids: Iterable[int]) -> None:
    """Units removed from an episode stop serving the person (their staff lose tjenstlig behov), unless
    another open episode of the person is still served by the unit. Call inside the caller's transaction."""
    for unit_id in sorted(unit_ids):
        still_served = (
            Episode.objects.filter(person_id=episode.person_id, ended_on__isnull=True, units__pk=unit_id)
            .exclude(pk=episode.pk)
            .exists()
        )
        if still_served:
            continue
        today = _today()
        relations = ServiceRelation.objects.select_for_update().filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today), person_id=episode.person_id, unit_id=unit_id
        )
        for relation in relations:
            # ends yesterday, so access ends now (people's rule: one that began today ends today)
            people_services.service_relation_end(actor=actor, relation=relation)


@transaction.atomic
def episode_update(
    *,
    actor: Actor,
    episode: Episode,
    expected_version: int,
    phase: str,
    started_on: date,
    ended_on: date | None = None,
    units: Iterable[Organisation] = (),
    note: str = "",
) -> Episode:
    _check_version(Episode, episode.pk, expected_version)
    if phase not in Phase.values:
        raise ValidationError({"phase": [_("Velg en fase i forløpet.")]})
    _period(started_on, ended_on)
    _check_dates(episode.person, started_on=started_on)
    # An episode ends when it has ended: a future end date would close it at once (it leaves the caseload and
    # a new one could be started) while the follow-up is still going on.
    _check_dates(episode.person, past=True, ended_on=ended_on)
    units = _check_units(units, kept=episode.units.values_list("pk", flat=True))
    reopening = episode.ended_on is not None and ended_on is None
    if (
        reopening
        and Episode.objects.select_for_update()
        .filter(person_id=episode.person_id, ended_on__isnull=True)
        .exclude(pk=episode.pk)
        .exists()
    ):
        raise ValidationError(
            {"ended_on": [_("Personen har et annet åpent forløp. Avslutt det før du åpner dette igjen.")]}
        )
    old_phase = episode.phase
    ending = episode.ended_on is None and ended_on is not None
    changes = _apply(
        episode, {"phase": phase, "started_on": started_on, "ended_on": ended_on, "note": note.strip()}
    )
    current_units = dict(episode.units.values_list("pk", "name"))
    old_units = set(current_units)
    new_units = {u.pk for u in units}
    if old_units != new_units:
        # names, not ids: the change history shows what is logged
        changes["units"] = [sorted(current_units.values()), sorted(u.name for u in units)]
        episode.units.set(units)
        for unit in units:
            if unit.pk not in old_units:
                people_services.service_relation_add(actor=actor, person=episode.person, unit=unit)
        _end_unit_relations(actor=actor, episode=episode, unit_ids=old_units - new_units)
    if not changes:
        return episode
    episode.version += 1
    try:
        with transaction.atomic():
            episode.save()
    except IntegrityError:  # another episode was opened in between
        raise ValidationError(
            {"ended_on": [_("Personen har et annet åpent forløp. Avslutt det før du åpner dette igjen.")]}
        ) from None
    if phase != old_phase:
        PhaseChange.objects.create(episode=episode, phase=phase, changed_by=_user(actor))
    _log(actor, episode.person, episode, "changed", changes)
    if ending:
        _episode_wrap_up(actor=actor, episode=episode)
    return episode


@dataclass(frozen=True)
class EpisodeEndEffects:
    """What ending the person's episode closes: open measures, FACT-board entries and open reminders."""

    measures: int
    board_entries: int
    reminders: int

    def __bool__(self) -> bool:
        return bool(self.measures or self.board_entries or self.reminders)


def episode_end_effects(person: Person) -> EpisodeEndEffects:
    """What `episode_update` will close when it ends the person's open episode (for the page's message)."""
    return EpisodeEndEffects(
        measures=Measure.objects.filter(person=person, status__in=Measure.OPEN).count(),
        board_entries=BoardEntry.objects.filter(person=person, removed_at__isnull=True).count(),
        reminders=Reminder.objects.filter(person=person, done_at__isnull=True).count(),
    )


def _episode_wrap_up(*, actor: Actor, episode: Episode) -> None:
    """The follow-up has ended: open measures end "without being completed" on the episode's last day (or on
    their start day when they were planned to start later), the person leaves every FACT board, and open
    reminders are closed, so nothing keeps asking for work on a pathway that is over. Inside the caller's
    transaction; each change is in the change log."""
    person = episode.person
    day = episode.ended_on
    assert day is not None
    for measure in Measure.objects.select_for_update().filter(person=person, status__in=Measure.OPEN):
        end_on = day if measure.end_on is None or measure.end_on > day else measure.end_on
        changes = _apply(measure, {"status": Measure.Status.STOPPED, "end_on": max(end_on, measure.start_on)})
        measure.version += 1
        measure.save()
        _log(actor, person, measure, "changed", changes)
    for entry in BoardEntry.objects.select_for_update().filter(person=person, removed_at__isnull=True):
        board_remove(actor=actor, entry=entry)
    _close_reminders(person=person)


@transaction.atomic
def coordinator_set(
    *, actor: Actor, episode: Episode, coordinator: User | None, since: date | None = None
) -> Episode:
    """Name (or remove) the coordinator. Named even without a plan; joins the care team (tjenstlig behov)."""
    person = episode.person
    _check_dates(person, since=since)
    old = episode.coordinator
    if old == coordinator:
        return episode
    episode.coordinator = coordinator
    episode.coordinator_since = (since or _today()) if coordinator else None
    episode.version += 1
    episode.save(update_fields=["coordinator", "coordinator_since", "version"])
    if coordinator is not None:
        membership = people_services.care_team_member_add(
            actor=actor, person=person, user=coordinator, role_title=_("Koordinator")
        )
        member = CareTeamMember.objects.filter(person=person, user=coordinator, valid_to__isnull=True).first()
        if member is None:
            CareTeamMember.objects.create(
                person=person,
                user=coordinator,
                membership=membership,
                name=coordinator.get_full_name() or coordinator.get_username(),
                agency=Agency.MUNICIPAL,
                role_title=_("Koordinator"),
                email=coordinator.email,
                consent_to_share=True,
                created_by=_user(actor),
            )
        elif member.role_title != _("Koordinator"):
            member.role_title = _("Koordinator")
            member.save(update_fields=["role_title"])
    _log(actor, person, episode, "changed", {"coordinator": [_json(old), _json(coordinator)]})
    return episode


def _clean_referral(person: Person, values: dict[str, Any]) -> dict[str, Any]:
    if values.get("direction") not in Referral.Direction.values:
        raise ValidationError({"direction": [_("Velg om henvisningen går inn eller ut.")]})
    if values.get("agency") not in Agency.values:
        raise ValidationError({"agency": [_("Velg instans.")]})
    if values.get("status") not in Referral.Status.values:
        raise ValidationError({"status": [_("Velg status.")]})
    referred_on = values["referred_on"]
    _check_dates(person, past=True, referred_on=referred_on, answered_on=values.get("answered_on"))
    for field in ("answered_on", "started_on"):
        if values.get(field) is not None and values[field] < referred_on:
            raise ValidationError({field: [_("Datoen kan ikke være før henvisningsdatoen.")]})
    answered_on, started_on = values.get("answered_on"), values.get("started_on")
    if answered_on is not None and started_on is not None and started_on < answered_on:
        raise ValidationError({"started_on": [_("Oppstart kan ikke være før svaret på henvisningen.")]})
    if values["status"] == Referral.Status.STARTED and started_on is None:
        raise ValidationError({"started_on": [_("Fyll inn oppstartsdato når status er «Startet».")]})
    if values["status"] in (Referral.Status.STARTED, Referral.Status.CLOSED):
        # "Startet"/"Avsluttet" say the start has happened; a planned start date belongs to "Godtatt".
        _check_dates(person, past=True, started_on=started_on)
    values["agency_name"] = _text(
        values.get("agency_name", ""), "agency_name", required=False, max_length=200
    )
    values["reason"] = _text(values.get("reason", ""), "reason", required=False, max_length=500)
    return values


@transaction.atomic
def referral_create(
    *,
    actor: Actor,
    episode: Episode,
    direction: str,
    agency: str,
    referred_on: date,
    status: str = Referral.Status.SENT,
    agency_name: str = "",
    reason: str = "",
    answered_on: date | None = None,
    started_on: date | None = None,
) -> Referral:
    values = _clean_referral(
        episode.person,
        {
            "direction": direction,
            "agency": agency,
            "referred_on": referred_on,
            "status": status,
            "agency_name": agency_name,
            "reason": reason,
            "answered_on": answered_on,
            "started_on": started_on,
        },
    )
    referral = Referral.objects.create(episode=episode, created_by=_user(actor), **values)
    _log(actor, episode.person, referral, "created", {k: [None, _json(v)] for k, v in values.items()})
    return referral


@transaction.atomic
def referral_update(*, actor: Actor, referral: Referral, **fields: Any) -> Referral:
    current = {
        f: getattr(referral, f)
        for f in (
            "direction",
            "agency",
            "referred_on",
            "status",
            "agency_name",
            "reason",
            "answered_on",
            "started_on",
        )
    }
    values = _clean_referral(referral.episode.person, {**current, **fields})
    changes = _apply(referral, values)
    if changes:
        referral.save()
        _log(actor, referral.episode.person, referral, "changed", changes)
    return referral


# --- Goals ----------------------------------------------------------------------------------------


def _check_area(area: str) -> str:
    if area and area not in AREA_CODES:
        raise ValidationError({"area": [_("Ukjent levekårsområde.")]})
    return area


@transaction.atomic
def goal_create(
    *, actor: Actor, person: Person, text: str, parent: Goal | None = None, area: str = ""
) -> Goal:
    """A goal in the person's own words ("Hva er viktig for deg?"); a sub-goal when `parent` is given."""
    text = _text(text, "text", max_length=GOAL_TEXT_MAX_LENGTH)
    if parent is not None and (parent.person_id != person.pk or parent.parent_id is not None):
        raise ValidationError({"parent": [_("Delmål må høre til et av personens hovedmål.")]})
    goal = Goal.objects.create(
        person=person, parent=parent, text=text, area=_check_area(area), created_by=_user(actor)
    )
    _log(actor, person, goal, "created", {"text": [None, text]})
    return goal


@transaction.atomic
def goal_update(*, actor: Actor, goal: Goal, text: str, status: str, area: str = "") -> Goal:
    if status not in Goal.Status.values:
        raise ValidationError({"status": [_("Velg status.")]})
    changes = _apply(
        goal,
        {
            "text": _text(text, "text", max_length=GOAL_TEXT_MAX_LENGTH),
            "status": status,
            "area": _check_area(area),
        },
    )
    if changes:
        goal.save()
        _log(actor, goal.person, goal, "changed", changes)
    return goal


@transaction.atomic
def goal_rate(
    *,
    actor: Actor,
    goal: Goal,
    progress: int,
    confidence: int,
    satisfaction: int,
    rated_on: date | None = None,
) -> GoalRating:
    errors = {
        name: [_("Velg en verdi fra 1 til 5.")]
        for name, value in (
            ("progress", progress),
            ("confidence", confidence),
            ("satisfaction", satisfaction),
        )
        if not isinstance(value, int) or not 1 <= value <= 5
    }
    day = rated_on or _today()
    if day_errors := date_errors(goal.person, day, past=True):
        errors["rated_on"] = day_errors
    if errors:
        raise ValidationError(errors)
    rating = GoalRating.objects.create(
        goal=goal,
        rated_on=day,
        progress=progress,
        confidence=confidence,
        satisfaction=satisfaction,
        recorded_by=_user(actor),
    )
    _log(actor, goal.person, rating, "created", {"goal": [None, _goal_name(goal)]})
    return rating


# --- Living-condition mapping ----------------------------------------------------------------------


@transaction.atomic
def mapping_record(
    *,
    actor: Actor,
    person: Person,
    ratings: Mapping[str, tuple[str, str]],
    assessed_on: date | None = None,
    unit: Organisation | None = None,
    note: str = "",
) -> PersonMapping:
    """One mapping of all eight areas: {area: (rating, note)}."""
    errors: dict[str, list[str]] = {}
    for code, label in AREAS:
        rating = ratings.get(code, ("", ""))[0]
        if rating not in Rating.values:
            errors[code] = [_("Velg grønn, gul eller rød for %(area)s.") % {"area": label}]
    unknown = set(ratings) - set(AREA_CODES)
    if unknown:
        errors["ratings"] = [_("Ukjent område: %(a)s") % {"a": ", ".join(sorted(unknown))}]
    if errors:
        raise ValidationError(errors)
    day = assessed_on or _today()
    if day > _today():
        raise ValidationError({"assessed_on": [_("Kartleggingsdatoen kan ikke være fram i tid.")]})
    _check_dates(person, assessed_on=day)
    if unit is None and isinstance(actor, Membership) and actor.organisation.kind == Organisation.Kind.UNIT:
        unit = actor.organisation
    mapping = PersonMapping.objects.create(
        person=person, assessed_on=day, unit=unit, assessed_by=_user(actor), note=note.strip()
    )
    MappingArea.objects.bulk_create(
        MappingArea(
            mapping=mapping, area=code, rating=ratings[code][0], note=(ratings[code][1] or "").strip()
        )
        for code in AREA_CODES
    )
    _log(actor, person, mapping, "created", {code: [None, ratings[code][0]] for code in AREA_CODES})
    return mapping


# --- Individual plan --------------------------------------------------------------------------------

PLAN_FIELDS = (
    "resources",
    "needs",
    "participants",
    "person_participated",
    "time_perspective",
    "next_review_on",
    "consent_to_share",
    "consent_note",
    "rights_informed",
)


def plan_snapshot(plan: IndividualPlan) -> dict[str, Any]:
    """Everything the plan says at this moment, as plain JSON (what a version stores and a diff compares)."""
    person = plan.person
    episode = (
        Episode.objects.filter(person=person, ended_on__isnull=True).select_related("coordinator").first()
    )
    goals = (
        Goal.objects.filter(person=person).exclude(status=Goal.Status.DROPPED).order_by("created_on", "pk")
    )
    measures = Measure.objects.filter(person=person).select_related("goal").order_by("start_on", "pk")
    team = CareTeamMember.objects.filter(person=person, valid_to__isnull=True).order_by("pk")
    return {
        "status": plan.status,
        **{field: _json(getattr(plan, field)) for field in PLAN_FIELDS},
        "declined_on": _json(plan.declined_on),
        "decline_reason": plan.decline_reason,
        "coordinator": str(episode.coordinator) if episode and episode.coordinator else "",
        "goals": [
            {"id": g.pk, "text": g.text, "parent": g.parent_id, "status": g.status, "area": g.area}
            for g in goals
        ],
        "measures": [
            {
                "id": m.pk,
                "title": m.title,
                "goal": m.goal_id,
                "responsible": m.responsible,
                "extent": m.extent,
                "how": m.how,
                "start_on": _json(m.start_on),
                "end_on": _json(m.end_on),
                "status": m.status,
            }
            for m in measures
        ],
        "care_team": [{"id": t.pk, "name": t.name, "role": t.role_title, "agency": t.agency} for t in team],
    }


class PlanUnchangedError(ValidationError):
    """A plan save that would store the same as the newest version (plan fields, coordinator, goals, measures,
    care team). Nothing was written."""

    def __init__(self, number: int, *, declined: bool = False) -> None:
        if declined:
            message = _(
                "Ingen endringer å lagre: det er allerede registrert at personen takket nei (versjon %(n)d)."
            )
        else:
            message = _(
                "Ingen endringer å lagre: planen er lik versjon %(n)d. Har dere gått gjennom planen uten å "
                "endre noe, sett ny dato for neste evaluering."
            )
        super().__init__(message % {"n": number}, code="unchanged")


def _check_changed(plan: IndividualPlan, snapshot: dict[str, Any]) -> None:
    """Refuse a version that says exactly what the newest one says (an empty "Ingen endringer" version)."""
    if plan.pk is None:
        return
    latest = (
        PlanVersion.objects.filter(plan=plan).order_by("-number").values_list("number", "snapshot").first()
    )
    if latest is not None and latest[1] == snapshot:
        raise PlanUnchangedError(latest[0], declined=plan.status == IndividualPlan.Status.DECLINED)


def _new_version(
    *, actor: Actor, plan: IndividualPlan, change_note: str, snapshot: dict[str, Any]
) -> PlanVersion:
    return PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        saved_by=_user(actor),
        change_note=change_note.strip()[:500],
        snapshot=snapshot,
    )


def _lock_plan(person: Person, expected_version: int) -> IndividualPlan:
    plan = IndividualPlan.objects.select_for_update().filter(person=person).first()
    current = plan.version if plan is not None else 0
    if current != expected_version:
        raise StaleEditError()
    return plan or IndividualPlan(person=person, version=0)


@transaction.atomic
def plan_save(
    *, actor: Actor, person: Person, expected_version: int, change_note: str = "", **fields: Any
) -> PlanVersion:
    """Save the individual plan as a new version (the first save creates it; `expected_version` 0).

    The next review must be today or later (a plan saved with an old date would be overdue at once; plans
    saved earlier keep their date until the next save). A save that changes nothing – neither the plan's
    fields nor its coordinator, goals, measures or care team – raises `PlanUnchangedError`; moving the
    review date after a review is a change.
    """
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(_("Ukjente felt: %(f)s") % {"f": ", ".join(sorted(unknown))})
    plan = _lock_plan(person, expected_version)
    review = fields.get("next_review_on", plan.next_review_on)
    if review is None:
        raise ValidationError({"next_review_on": [_("Sett en dato for når planen skal evalueres.")]})
    if review < _today():
        raise ValidationError({"next_review_on": [_("Neste evaluering må være i dag eller senere.")]})
    _apply(plan, fields)
    plan.status = IndividualPlan.Status.ACTIVE
    plan.declined_on = None
    plan.decline_reason = ""
    snapshot = plan_snapshot(plan)
    _check_changed(plan, snapshot)
    plan.version += 1
    plan.updated_by = _user(actor)
    plan.save()
    version = _new_version(actor=actor, plan=plan, change_note=change_note, snapshot=snapshot)
    _close_reminders(person=person, kind=Reminder.Kind.PLAN_REVIEW)
    _log(
        actor,
        person,
        plan,
        "changed" if plan.version > 1 else "created",
        {"version": [plan.version - 1, plan.version]},
    )
    return version


@transaction.atomic
def plan_decline(
    *, actor: Actor, person: Person, expected_version: int, reason: str = "", declined_on: date | None = None
) -> PlanVersion:
    """The person has said no to an individual plan: recorded as a version (the coordinator stays)."""
    plan = _lock_plan(person, expected_version)
    plan.status = IndividualPlan.Status.DECLINED
    plan.declined_on = declined_on or _today()
    plan.decline_reason = _text(reason, "reason", required=False, max_length=2000)
    snapshot = plan_snapshot(plan)
    _check_changed(plan, snapshot)
    plan.version += 1
    plan.updated_by = _user(actor)
    plan.save()
    version = _new_version(
        actor=actor,
        plan=plan,
        change_note=_("Personen takket nei til individuell plan"),
        snapshot=snapshot,
    )
    _log(actor, person, plan, "changed", {"status": [None, plan.status]})
    return version


# --- Measures ---------------------------------------------------------------------------------------

MEASURE_FIELDS = (
    "title",
    "responsible",
    "responsible_user",
    "goal",
    "extent",
    "how",
    "start_on",
    "end_on",
    "status",
)


def _clean_measure(person: Person, values: dict[str, Any]) -> dict[str, Any]:
    values["title"] = _text(values.get("title", ""), "title", max_length=300)
    values["responsible"] = _text(values.get("responsible", ""), "responsible", max_length=200)
    values["extent"] = _text(values.get("extent", ""), "extent", required=False, max_length=200)
    values["how"] = _text(values.get("how", ""), "how", required=False, max_length=5000)
    if values.get("status") not in Measure.Status.values:
        raise ValidationError({"status": [_("Velg status.")]})
    if values.get("start_on") is None:
        raise ValidationError({"start_on": [_("Fyll inn startdato.")]})
    _check_dates(person, start_on=values["start_on"])
    _period(values["start_on"], values.get("end_on"), "end_on")
    goal = values.get("goal")
    if goal is not None and goal.person_id != person.pk:
        raise ValidationError({"goal": [_("Målet hører ikke til denne personen.")]})
    return values


@transaction.atomic
def measure_create(
    *,
    actor: Actor,
    person: Person,
    title: str,
    responsible: str,
    start_on: date | None = None,
    end_on: date | None = None,
    extent: str = "",
    how: str = "",
    status: str = Measure.Status.PLANNED,
    goal: Goal | None = None,
    responsible_user: User | None = None,
) -> Measure:
    values = _clean_measure(
        person,
        {
            "title": title,
            "responsible": responsible,
            "responsible_user": responsible_user,
            "goal": goal,
            "extent": extent,
            "how": how,
            "start_on": start_on or _today(),
            "end_on": end_on,
            "status": status,
        },
    )
    measure = Measure.objects.create(person=person, created_by=_user(actor), **values)
    _log(actor, person, measure, "created", {k: [None, _json(v)] for k, v in values.items()})
    return measure


@transaction.atomic
def measure_update(*, actor: Actor, measure: Measure, expected_version: int, **fields: Any) -> Measure:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise ValidationError(_("Ukjente felt: %(f)s") % {"f": ", ".join(sorted(unknown))})
    _check_version(Measure, measure.pk, expected_version)
    values = _clean_measure(measure.person, {**{f: getattr(measure, f) for f in MEASURE_FIELDS}, **fields})
    changes = _apply(measure, values)
    if changes:
        measure.version += 1
        measure.save()
        if "end_on" in changes or "status" in changes:
            _close_reminders(measure=measure)
        _log(actor, measure.person, measure, "changed", changes)
    return measure


# --- Care team and meetings -------------------------------------------------------------------------

PHONE_RE = re.compile(r"\+?[0-9 ]+")
PHONE_DIGITS = (3, 15)  # 113 … the longest international number (E.164)


def phone_errors(phone: str) -> list[str]:
    """A phone number: digits and spaces, optionally a leading +, 3–15 digits. Shared by form and service."""
    phone = (phone or "").strip()
    if not phone:
        return []
    digits = sum(c.isdigit() for c in phone)
    if not PHONE_RE.fullmatch(phone) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1] or len(phone) > 30:
        return [
            _(
                "Skriv telefonnummeret med sifre (3–15), gjerne med mellomrom og + foran, "
                "for eksempel 400 10 200."
            )
        ]
    return []


@transaction.atomic
def care_team_add(
    *,
    actor: Actor,
    person: Person,
    name: str = "",
    user: User | None = None,
    agency: str = Agency.MUNICIPAL,
    role_title: str = "",
    phone: str = "",
    email: str = "",
    consent_to_share: bool = False,
    valid_from: date | None = None,
) -> CareTeamMember:
    """A care-team member: staff (`user`, gets tjenstlig behov through the people app) or external (name)."""
    if agency not in Agency.values:
        raise ValidationError({"agency": [_("Velg instans.")]})
    start = valid_from or _today()
    membership = None
    if errors := phone_errors(phone):
        raise ValidationError({"phone": errors})
    if user is not None:
        if name.strip():
            raise ValidationError(
                {
                    "name": [
                        _(
                            "Navnet er bare for eksterne deltakere. En ansatt står med navnet sitt; "
                            "tøm navnefeltet eller velg ingen ansatt."
                        )
                    ]
                }
            )
        if CareTeamMember.objects.filter(person=person, user=user, valid_to__isnull=True).exists():
            raise ValidationError({"user": [_("Denne ansatte er allerede med i ansvarsgruppen.")]})
        membership = people_services.care_team_member_add(
            actor=actor, person=person, user=user, role_title=role_title, valid_from=start
        )
        name = user.get_full_name() or user.get_username()
        email = email or user.email
    else:
        name = _text(name, "name", max_length=200)
        if agency != Agency.RELATIVE and agency != Agency.MUNICIPAL and not consent_to_share:
            raise ValidationError(
                {
                    "consent_to_share": [
                        _(
                            "Eksterne deltakere kan bare få informasjon når personen har samtykket. "
                            "Kryss av for samtykke."
                        )
                    ]
                }
            )
    member = CareTeamMember.objects.create(
        person=person,
        user=user,
        membership=membership,
        name=name,
        agency=agency,
        role_title=_text(role_title, "role_title", required=False, max_length=200),
        phone=_text(phone, "phone", required=False, max_length=30),
        email=(email or "").strip(),
        consent_to_share=consent_to_share,
        valid_from=start,
        created_by=_user(actor),
    )
    _log(actor, person, member, "created", {"name": [None, name], "agency": [None, agency]})
    return member


@transaction.atomic
def care_team_end(*, actor: Actor, member: CareTeamMember, valid_to: date | None = None) -> CareTeamMember:
    end = max(valid_to or _today(), member.valid_from)
    member.valid_to = end
    member.save(update_fields=["valid_to"])
    if member.user is not None:
        people_services.care_team_member_end(
            actor=actor, person=member.person, user=member.user, valid_to=end
        )
    _log(actor, member.person, member, "ended", {"valid_to": [None, end.isoformat()]})
    return member


@transaction.atomic
def meeting_create(
    *,
    actor: Actor,
    person: Person,
    starts_at: datetime,
    place: str = "",
    agenda: str = "",
) -> Meeting:
    _check_dates(person, starts_at=timezone.localtime(starts_at).date())
    meeting = Meeting.objects.create(
        person=person,
        starts_at=starts_at,
        place=_text(place, "place", required=False, max_length=200),
        agenda=agenda.strip(),
        created_by=_user(actor),
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=m)
        for m in CareTeamMember.objects.filter(person=person, valid_to__isnull=True)
    )
    _log(actor, person, meeting, "created", {"starts_at": [None, starts_at.isoformat()]})
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: Actor,
    meeting: Meeting,
    expected_version: int,
    starts_at: datetime,
    status: str,
    place: str = "",
    agenda: str = "",
    minutes: str = "",
    next_meeting_on: date | None = None,
    present_member_ids: Sequence[int] = (),
) -> Meeting:
    """Agenda, minutes, status, attendance and next meeting date."""
    _check_version(Meeting, meeting.pk, expected_version)
    if status not in Meeting.Status.values:
        raise ValidationError({"status": [_("Velg status.")]})
    if next_meeting_on is not None and next_meeting_on < timezone.localtime(starts_at).date():
        raise ValidationError({"next_meeting_on": [_("Neste møte kan ikke være før dette møtet.")]})
    _check_dates(meeting.person, starts_at=timezone.localtime(starts_at).date())
    if status == Meeting.Status.HELD and starts_at > timezone.now():
        raise ValidationError(
            {"starts_at": [_("Et møte som er avholdt, kan ikke ha et tidspunkt fram i tid.")]}
        )
    if status == Meeting.Status.HELD and not minutes.strip():
        raise ValidationError({"minutes": [_("Skriv et kort referat når møtet er avholdt.")]})
    changes = _apply(
        meeting,
        {
            "starts_at": starts_at,
            "status": status,
            "place": _text(place, "place", required=False, max_length=200),
            "agenda": agenda.strip(),
            "minutes": minutes.strip(),
            "next_meeting_on": next_meeting_on,
        },
    )
    team = {m.pk: m for m in CareTeamMember.objects.filter(person=meeting.person)}
    present = set(present_member_ids)
    if present - set(team):
        raise ValidationError({"present": [_("Ukjent deltaker.")]})
    for member_id in team:
        row, _created = Attendance.objects.get_or_create(meeting=meeting, member_id=member_id)
        if row.present != (member_id in present):
            row.present = member_id in present
            row.save(update_fields=["present"])
            changes.setdefault("attendance", []).append(member_id)
    meeting.version += 1
    meeting.save()
    _log(actor, meeting.person, meeting, "changed", changes)
    if next_meeting_on is not None:
        _plan_next_meeting(actor=actor, meeting=meeting, day=next_meeting_on)
    return meeting


NEXT_MEETING_HOUR = 10


def _plan_next_meeting(*, actor: Actor, meeting: Meeting, day: date) -> None:
    """The next meeting date becomes a planned meeting (10:00, same place) unless one is already planned."""
    already = Meeting.objects.filter(
        person=meeting.person,
        status=Meeting.Status.PLANNED,
        starts_at__gte=timezone.make_aware(datetime.combine(day, datetime.min.time())),
    ).exclude(pk=meeting.pk)
    if already.exists() or day <= timezone.localdate():
        return
    starts_at = timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=NEXT_MEETING_HOUR)
    )
    meeting_create(
        actor=actor,
        person=meeting.person,
        starts_at=starts_at,
        place=meeting.place,
        agenda=_("Oppfølging av beslutningene fra møtet %(d)s")
        % {"d": timezone.localtime(meeting.starts_at).strftime("%d.%m.%Y")},
    )


@transaction.atomic
def decision_add(
    *,
    actor: Actor,
    meeting: Meeting,
    text: str,
    create_measure: Mapping[str, Any] | None = None,
    change_measure: Measure | None = None,
    measure_changes: Mapping[str, Any] | None = None,
) -> Decision:
    """A decision in the minutes; it may create a new measure or change an existing one (same transaction)."""
    text = _text(text, "text", max_length=5000)
    person = meeting.person
    measure: Measure | None = None
    action = ""
    if create_measure is not None:
        measure = measure_create(actor=actor, person=person, **create_measure)
        action = "created"
    elif change_measure is not None:
        if change_measure.person_id != person.pk:
            raise ValidationError({"measure": [_("Tiltaket hører ikke til denne personen.")]})
        measure = measure_update(
            actor=actor,
            measure=change_measure,
            expected_version=change_measure.version,
            **(measure_changes or {}),
        )
        action = "changed"
    decision = Decision.objects.create(meeting=meeting, text=text, measure=measure, action=action)
    _log(actor, person, decision, "created", {"text": [None, text], "measure": [None, _json(measure)]})
    return decision


# --- Crisis plan ------------------------------------------------------------------------------------


@transaction.atomic
def crisis_plan_save(
    *,
    actor: Actor,
    person: Person,
    expected_version: int,
    warning_signs: str,
    what_helps: str,
    contacts: str,
    what_i_do: str = "",
    avoid: str = "",
) -> CrisisPlan:
    plan = CrisisPlan.objects.select_for_update().filter(person=person).first()
    if (plan.version if plan else 0) != expected_version:
        raise StaleEditError()
    values = {
        "warning_signs": _text(warning_signs, "warning_signs", max_length=5000),
        "what_helps": _text(what_helps, "what_helps", max_length=5000),
        "contacts": _text(contacts, "contacts", max_length=2000),
        "what_i_do": _text(what_i_do, "what_i_do", required=False, max_length=5000),
        "avoid": _text(avoid, "avoid", required=False, max_length=5000),
    }
    if plan is None:
        plan = CrisisPlan(person=person, version=0)
    changes = _apply(plan, values)
    plan.version += 1
    plan.updated_by = _user(actor)
    plan.save()
    _log(actor, person, plan, "created" if plan.version == 1 else "changed", changes)
    return plan


# --- Feedback ---------------------------------------------------------------------------------------


ITEM_TEXT_MAX_LENGTH = 300  # InstrumentItem.text


@transaction.atomic
def instrument_create(
    *,
    slug: str,
    name: str,
    purpose: str,
    items: Sequence[str],
    scale_min: int = 0,
    scale_max: int = 10,
    low_label: str = "",
    high_label: str = "",
    scoring: str = Instrument.Scoring.SUM,
    expected_gain_per_session: float = 0,
    expected_gain_max: float = 0,
    band_width: float = 0,
    alert_below: float = 0,
    description: str = "",
    owner: Organisation | None = None,
) -> Instrument:
    """A configurable instrument (idempotent on `slug`: an existing one is returned unchanged)."""
    existing = Instrument.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    if purpose not in Instrument.Purpose.values:
        raise ValidationError({"purpose": [_("Velg formål.")]})
    if scoring not in Instrument.Scoring.values:
        raise ValidationError({"scoring": [_("Velg skåring.")]})
    if scale_max <= scale_min:
        raise ValidationError({"scale_max": [_("Høyeste verdi må være større enn laveste.")]})
    texts = [t.strip() for t in items if t.strip()]
    if not texts:
        raise ValidationError({"items": [_("Instrumentet må ha minst ett spørsmål.")]})
    too_long = [n for n, text in enumerate(texts, start=1) if len(text) > ITEM_TEXT_MAX_LENGTH]
    if too_long:
        raise ValidationError(
            {
                "items": [
                    _("Spørsmål %(n)s er for langt (høyst %(max)d tegn).")
                    % {"n": ", ".join(map(str, too_long)), "max": ITEM_TEXT_MAX_LENGTH}
                ]
            }
        )
    if min(expected_gain_per_session, expected_gain_max, band_width, alert_below) < 0:
        raise ValidationError({"band_width": [_("Verdiene for forventet endring kan ikke være negative.")]})
    # The band lives on the instrument's score (sum or mean of the answers); values outside it would flag
    # every answer (alert) or never let the expected line rise (a ceiling below the gain per session).
    n = len(texts) if scoring == Instrument.Scoring.SUM else 1
    low, high = scale_min * n, scale_max * n
    errors: dict[str, list[str]] = {}
    if expected_gain_per_session > 0 and expected_gain_max < expected_gain_per_session:
        errors["expected_gain_max"] = [
            _("Taket for forventet bedring kan ikke være lavere enn forventet bedring per samtale.")
        ]
    elif expected_gain_max > high - low:
        errors["expected_gain_max"] = [
            _("Forventet bedring kan ikke være større enn skårens spenn (%(s)d).") % {"s": high - low}
        ]
    if expected_gain_per_session > high - low:
        errors["expected_gain_per_session"] = [
            _("Forventet bedring kan ikke være større enn skårens spenn (%(s)d).") % {"s": high - low}
        ]
    if band_width > high - low:
        errors["band_width"] = [
            _("Båndbredden kan ikke være større enn skårens spenn (%(s)d).") % {"s": high - low}
        ]
    if alert_below > high:
        errors["alert_below"] = [
            _("Varslingsgrensen kan ikke være over høyeste mulige skår (%(h)d).") % {"h": high}
        ]
    if errors:
        raise ValidationError(errors)
    instrument = Instrument.objects.create(
        slug=slug,
        name=_text(name, "name", max_length=200),
        description=description.strip(),
        purpose=purpose,
        scale_min=scale_min,
        scale_max=scale_max,
        low_label=_text(low_label, "low_label", required=False, max_length=100),
        high_label=_text(high_label, "high_label", required=False, max_length=100),
        scoring=scoring,
        expected_gain_per_session=expected_gain_per_session,
        expected_gain_max=expected_gain_max,
        band_width=band_width,
        alert_below=alert_below,
        owner=owner,
    )
    InstrumentItem.objects.bulk_create(
        InstrumentItem(instrument=instrument, order=i, text=text) for i, text in enumerate(texts, start=1)
    )
    return instrument


@transaction.atomic
def feedback_record(
    *,
    actor: Actor,
    person: Person,
    instrument: Instrument,
    values: Sequence[int],
    answered_on: date | None = None,
    note: str = "",
) -> FeedbackScore:
    """Score one answered instrument and flag it when it falls outside the expected band."""
    if not instrument.is_active:
        raise ValidationError({"instrument": [_("Instrumentet er ikke i bruk.")]})
    spec = feedback.spec_of(instrument)
    if len(values) != spec.n_items:
        raise ValidationError({"answers": [_("Svar på alle spørsmålene.")]})
    bad = [i for i, v in enumerate(values, start=1) if not spec.scale_min <= v <= spec.scale_max]
    if bad:
        raise ValidationError(
            {
                "answers": [
                    _("Svarene må være mellom %(lo)d og %(hi)d.")
                    % {"lo": spec.scale_min, "hi": spec.scale_max}
                ]
            }
        )
    day = answered_on or _today()
    _check_dates(person, past=True, answered_on=day)
    value = feedback.score(spec, values)
    earlier = list(
        FeedbackScore.objects.filter(person=person, instrument=instrument, answered_on__lte=day)
        .order_by("answered_on", "pk")
        .values_list("score", flat=True)
    )
    items = list(instrument.items.all())
    row = FeedbackScore.objects.create(
        person=person,
        instrument=instrument,
        answered_on=day,
        answers={str(item.pk): v for item, v in zip(items, values, strict=True)},
        score=value,
        off_track=feedback.is_off_track(spec, [*earlier, value]),
        note=note.strip()[:500],
        recorded_by=_user(actor),
    )
    _log(actor, person, row, "created", {"instrument": [None, instrument.name], "score": [None, value]})
    return row


# --- FACT board -------------------------------------------------------------------------------------


def board_duplicate_message(person: Person, entry: BoardEntry) -> str:
    return _(
        "%(p)s er allerede på FACT-tavla (siden %(d)s, grunn: «%(r)s»). Ta personen av tavla først hvis "
        "grunnen eller ansvarlig skal endres."
    ) % {"p": person, "d": entry.added_on.strftime("%d.%m.%Y"), "r": entry.reason}


@transaction.atomic
def board_add(
    *, actor: Actor, unit: Organisation, person: Person, reason: str, responsible: User | None = None
) -> BoardEntry:
    if unit.kind != Organisation.Kind.UNIT:
        raise ValidationError({"unit": [_("FACT-tavla hører til en enhet.")]})
    if not unit.is_active:
        raise ValidationError({"unit": [_("Enheten er lagt ned.")]})
    reason = _text(reason, "reason", max_length=500)
    entry = (
        BoardEntry.objects.select_for_update()
        .filter(unit=unit, person=person, removed_at__isnull=True)
        .first()
    )
    if entry is not None:
        raise ValidationError({"person": [board_duplicate_message(person, entry)]})
    entry = BoardEntry.objects.create(
        unit=unit, person=person, reason=reason, responsible=responsible, added_by=_user(actor)
    )
    _log(actor, person, entry, "created", {"unit": [None, unit.name], "reason": [None, reason]})
    return entry


@transaction.atomic
def board_remove(*, actor: Actor, entry: BoardEntry) -> BoardEntry:
    if entry.removed_at is None:
        entry.removed_at = timezone.now()
        entry.save(update_fields=["removed_at", "updated_at"])
        _log(actor, entry.person, entry, "ended", {"unit": [entry.unit.name, None]})
    return entry
