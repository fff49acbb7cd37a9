"""Reads of follow-up data. Persons come only from `mestring.people` (persons_for / access_person).

The caseload and the FACT board are built with a fixed number of queries whatever the number of persons
(annotations and subqueries, no per-person queries), and log one access-log row per person shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mestring.accounts.models import Membership
from mestring.audit.models import AccessLog, ChangeLog
from mestring.audit.services import log_access_many
from mestring.followup import feedback
from mestring.followup.models import (
    BoardEntry,
    CareTeamMember,
    CrisisPlan,
    Episode,
    FeedbackScore,
    Goal,
    Instrument,
    MappingArea,
    Measure,
    Meeting,
    PersonMapping,
    Referral,
    Reminder,
)
from mestring.mapping.areas import AREAS, Rating
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import active_units, municipality_ids_in_scope
from mestring.people.models import CareTeamMembership, Person, ServiceRelation
from mestring.people.selectors import persons_for

LIST_PURPOSE = "tjenstlig behov"


def latest_off_track_q() -> Exists:
    """True when the newest score of any instrument for the person (OuterRef pk) is outside its band.

    One index lookup per instrument for each person shown (not an anti-join over every score in the
    database), so the cost follows the page, not the size of the feedback table.
    """
    newest_off_track = (
        FeedbackScore.objects.filter(person_id=OuterRef(OuterRef("pk")), instrument_id=OuterRef("pk"))
        .order_by("-answered_on", "-pk")
        .values("off_track")[:1]
    )
    return Exists(Instrument.objects.filter(Subquery(newest_off_track, output_field=BooleanField())))


def annotate_followup(persons: QuerySet[Person], today: date | None = None) -> QuerySet[Person]:
    """Annotations the caseload and board show, as joins and subqueries (no per-person queries)."""
    day = today or timezone.localdate()
    next_meeting = (
        Meeting.objects.filter(
            person_id=OuterRef("pk"), status=Meeting.Status.PLANNED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    overdue = (
        Measure.objects.filter(person_id=OuterRef("pk"), status__in=Measure.OPEN, end_on__lt=day)
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    waiting = Referral.objects.filter(
        episode__person_id=OuterRef("pk"),
        episode__ended_on__isnull=True,
        status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED],
    )
    # A person has at most one open episode (constraint one_open_episode_per_person) and one plan, so
    # these are plain LEFT JOINs, not a subquery per column.
    return persons.annotate(
        open_episode=FilteredRelation("episodes", condition=Q(episodes__ended_on__isnull=True)),
    ).annotate(
        phase=F("open_episode__phase"),
        coordinator_first=F("open_episode__coordinator__first_name"),
        coordinator_last=F("open_episode__coordinator__last_name"),
        coordinator_id=F("open_episode__coordinator_id"),
        plan_status=F("individual_plan__status"),
        review_on=F("individual_plan__next_review_on"),
        next_meeting_at=Subquery(next_meeting),
        overdue_measures=Subquery(overdue),
        waiting_referral=Exists(waiting),
        off_track=latest_off_track_q(),
        has_crisis_plan=Exists(CrisisPlan.objects.filter(person_id=OuterRef("pk"))),
    )


def served_now(persons: QuerySet[Person], unit: Organisation) -> QuerySet[Person]:
    """The active persons among `persons` that `unit` has an open service relation to today."""
    served = ServiceRelation.objects.active().filter(unit=unit).values("person_id")
    return persons.filter(pk__in=served, status=Person.Status.ACTIVE)


CASELOAD_PAGE_SIZE = 50
CASELOAD_FIELDS = ("first_name", "last_name", "children_routine", "children_followup_offered", "status")


@dataclass
class CaseloadPage:
    persons: list[Person]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def caseload(
    membership: Membership,
    *,
    scope: str = "mine",
    page: int = 1,
    per_page: int = CASELOAD_PAGE_SIZE,
    what: str = "saksliste",
) -> CaseloadPage:
    """The coordinator's list, one page at a time (next meeting first).

    "mine": persons the actor coordinates or is on the care team of; "all": everyone the actor has tjenstlig
    behov for. The same number of queries for any number of persons; one access-log row per person shown.
    """
    persons = persons_for(membership).filter(status=Person.Status.ACTIVE)
    if scope == "mine":
        mine = Q(
            pk__in=Episode.objects.filter(coordinator_id=membership.user_id, ended_on__isnull=True).values(
                "person_id"
            )
        ) | Q(
            pk__in=CareTeamMembership.objects.active().filter(user_id=membership.user_id).values("person_id")
        )
        persons = persons.filter(mine)
    total = persons.count()
    pages = max((total + per_page - 1) // per_page, 1)
    number = min(max(page, 1), pages)
    # Only the columns the list shows (no organisation join, no encrypted id): cheaper to fetch and build.
    ordered = annotate_followup(persons.select_related(None).only(*CASELOAD_FIELDS)).order_by(
        F("next_meeting_at").asc(nulls_last=True), "last_name", "first_name", "pk"
    )
    rows = list(ordered[(number - 1) * per_page : number * per_page])
    if rows:
        log_access_many(
            user=membership.user, membership=membership, persons=rows, what=what, purpose=LIST_PURPOSE
        )
    return CaseloadPage(persons=rows, number=number, pages=pages, total=total)


def board_units(membership: Membership) -> QuerySet[Organisation]:
    """Units whose FACT board the actor may open: its own unit, or a sharing cooperation's member units."""
    organisation = membership.organisation
    if organisation.kind == Organisation.Kind.UNIT:
        return Organisation.objects.filter(pk=organisation.pk)
    return active_units(municipality_ids_in_scope(organisation, person_work=True))


@dataclass
class Board:
    unit: Organisation
    entries: list[BoardEntry]
    suggestions: list[Person]


BOARD_RELOG_AFTER = timedelta(minutes=30)


def board(membership: Membership, unit: Organisation, *, polling: bool = False) -> Board:
    """Open entries on the unit's board, and persons served by the unit who are not on track (suggestions).

    Only persons the actor has tjenstlig behov for are shown; each shown person gets one access-log row. The
    live refresh (`polling`) does not log a person again within 30 minutes of the last board row for them, so
    an open board does not flood the log.
    """
    visible = persons_for(membership)
    entries = list(
        BoardEntry.objects.filter(unit=unit, removed_at__isnull=True, person__in=visible)
        .select_related("responsible")
        .prefetch_related(Prefetch("person", queryset=annotate_followup(Person.objects.all())))
        .order_by("added_on", "pk")
    )
    on_board = [e.person_id for e in entries]
    suggestions = list(
        annotate_followup(served_now(visible, unit).exclude(pk__in=on_board))
        .filter(Q(off_track=True) | Q(overdue_measures__gt=0))
        .order_by("last_name", "first_name", "pk")
    )
    shown = [e.person for e in entries] + suggestions
    if shown and polling:
        recent = set(
            AccessLog.objects.filter(
                user_id=membership.user_id,
                what="FACT-tavle",
                at__gte=timezone.now() - BOARD_RELOG_AFTER,
                person_id__in=[p.pk for p in shown],
            ).values_list("person_id", flat=True)
        )
        shown = [p for p in shown if p.pk not in recent]
    if shown:
        log_access_many(
            user=membership.user,
            membership=membership,
            persons=shown,
            what="FACT-tavle",
            purpose=LIST_PURPOSE,
        )
    return Board(unit=unit, entries=entries, suggestions=suggestions)


# --- One person -----------------------------------------------------------------------------------


def open_episode(person: Person) -> Episode | None:
    return (
        Episode.objects.filter(person=person, ended_on__isnull=True)
        .select_related("coordinator")
        .prefetch_related("units", "referrals")
        .first()
    )


def goals_tree(person: Person, *, ratings: bool = True) -> list[Goal]:
    """Main goals with their sub-goals (and, unless `ratings=False`, their ratings) prefetched."""
    lookups = ["sub_goals", "ratings", "sub_goals__ratings"] if ratings else ["sub_goals"]
    return list(
        Goal.objects.filter(person=person, parent__isnull=True)
        .prefetch_related(*lookups)
        .order_by("created_on", "pk")
    )


@dataclass
class AreaHistory:
    code: str
    label: Any
    cells: list[MappingArea | None]
    change: str  # "better" / "worse" / "same" / ""


RATING_ORDER = {Rating.GREEN: 0, Rating.YELLOW: 1, Rating.RED: 2}


def mapping_history(person: Person, limit: int = 6) -> tuple[list[PersonMapping], list[AreaHistory]]:
    """The newest mappings (oldest first) and per-area ratings with the change since the previous one."""
    mappings = list(
        PersonMapping.objects.filter(person=person)
        .select_related("unit", "assessed_by")
        .prefetch_related("areas")
        .order_by("-assessed_on", "-pk")[:limit]
    )
    mappings.reverse()
    by_mapping = [{a.area: a for a in m.areas.all()} for m in mappings]
    rows = []
    for code, label in AREAS:
        cells = [ratings.get(code) for ratings in by_mapping]
        change = ""
        known = [c for c in cells if c is not None]
        if len(known) >= 2:
            before, now = RATING_ORDER[Rating(known[-2].rating)], RATING_ORDER[Rating(known[-1].rating)]
            change = "better" if now < before else "worse" if now > before else "same"
        rows.append(AreaHistory(code=code, label=label, cells=cells, change=change))
    return mappings, rows


def care_team(person: Person, *, active_only: bool = True) -> list[CareTeamMember]:
    members = CareTeamMember.objects.filter(person=person).select_related("user")
    if active_only:
        members = members.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()))
    return list(members.order_by("valid_from", "pk"))


def next_meeting(person: Person) -> Meeting | None:
    return (
        Meeting.objects.filter(person=person, status=Meeting.Status.PLANNED, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )


@dataclass
class Trajectory:
    instrument: Instrument
    points: list[feedback.Point]
    spec: feedback.InstrumentSpec
    off_track: bool

    @cached_property
    def chart(self) -> feedback.SvgChart:
        """The SVG coordinates, built only when a page draws the chart (the overview shows the last point)."""
        return feedback.svg_chart(self.spec, self.points)


def trajectories(person: Person) -> list[Trajectory]:
    """One trajectory per instrument the person has answered (or every active instrument, empty)."""
    instruments = list(Instrument.objects.filter(is_active=True).annotate(n_items=Count("items")))
    by_instrument: dict[int, list[tuple[date, float]]] = {}
    for instrument_id, answered_on, value in (
        FeedbackScore.objects.filter(person=person)
        .order_by("answered_on", "pk")
        .values_list("instrument_id", "answered_on", "score")
    ):
        by_instrument.setdefault(instrument_id, []).append((answered_on, value))
    result = []
    for instrument in instruments:
        spec = feedback.spec_of(instrument)
        points = feedback.trajectory(spec, by_instrument.get(instrument.pk, []))
        result.append(
            Trajectory(
                instrument=instrument,
                points=points,
                spec=spec,
                off_track=bool(points and points[-1].off_track),
            )
        )
    return result


def open_reminders(person: Person) -> QuerySet[Reminder]:
    return Reminder.objects.filter(person=person, done_at__isnull=True).select_related("measure")


def overdue_measures(person: Person, today: date | None = None) -> QuerySet[Measure]:
    day = today or timezone.localdate()
    return Measure.objects.filter(person=person, status__in=Measure.OPEN, end_on__lt=day)


CHANGE_LABELS: dict[str, Any] = {
    "goal": _("Mål"),
    "goalrating": _("Målvurderinger"),
    "personmapping": _("Kartlegginger"),
    "individualplan": _("Individuell plan"),
    "measure": _("Tiltak"),
    "careteammember": _("Ansvarsgruppe"),
    "meeting": _("Møter"),
    "decision": _("Beslutninger"),
    "crisisplan": _("Kriseplan"),
    "feedbackscore": _("Tilbakemeldinger"),
    "episode": _("Forløp"),
    "referral": _("Henvisninger"),
    "boardentry": _("FACT-tavle"),
    "person": _("Personopplysninger"),
    "consent": _("Samtykker"),
    "relative": _("Pårørende"),
}


def action_label(action: str, n: int) -> str:
    """'1 ny', '3 nye', '2 endret' … with Norwegian number agreement."""
    if action == "created":
        text = ngettext("%(n)d ny", "%(n)d nye", n)
    elif action == "changed":
        text = ngettext("%(n)d endret", "%(n)d endret", n)
    elif action == "ended":
        text = ngettext("%(n)d avsluttet", "%(n)d avsluttet", n)
    elif action == "removed":
        text = ngettext("%(n)d slettet", "%(n)d slettet", n)
    else:
        return f"{n} {action}"
    return text % {"n": n}


def changes_since_previous_meeting(meeting: Meeting) -> list[tuple[Any, str]]:
    """ "What changed since the last meeting": (area, "3 nye") from the change log between the previous
    meeting and this one (or now, for a meeting not yet held)."""
    previous = (
        Meeting.objects.filter(person_id=meeting.person_id, starts_at__lt=meeting.starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        return []
    until = (
        min(meeting.starts_at, timezone.now()) if meeting.status == Meeting.Status.HELD else timezone.now()
    )
    rows = (
        ChangeLog.objects.filter(person_id=meeting.person_id, at__gt=previous.starts_at, at__lte=until)
        .exclude(object_type__in=["meeting", "attendance"])
        .values_list("object_type", "action")
        .annotate(n=Count("pk"))
        .order_by("object_type", "action")
    )
    return [
        (CHANGE_LABELS.get(kind, kind), action_label(action, n))
        for kind, action, n in rows
        if kind in CHANGE_LABELS
    ]
