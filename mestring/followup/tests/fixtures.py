"""Follow-up test data on top of the people app's test persons. Idempotent builders (the role matrix calls
them once per route). Everyone here is invented."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone

from mestring.core.world import World
from mestring.followup import services
from mestring.followup.instruments import ensure_builtin_instruments
from mestring.followup.models import (
    BoardEntry,
    CareTeamMember,
    Episode,
    Goal,
    Instrument,
    Measure,
    Meeting,
    PlanVersion,
    Referral,
    Reminder,
)
from mestring.mapping.areas import AREA_CODES, Phase, Rating
from mestring.people.models import Person
from mestring.people.tests.fixtures import EVJE_UNIT, make_person

ALL_GREEN = dict.fromkeys(AREA_CODES, (Rating.GREEN.value, ""))


@dataclass
class Followup:
    person: Person
    episode: Episode
    referral: Referral
    goal: Goal
    measure: Measure
    member: CareTeamMember
    meeting: Meeting
    reminder: Reminder
    entry: BoardEntry


@contextmanager
def days_ago(days: int) -> Iterator[None]:
    """Run follow-up services as if today were `days` ago: a plan saved then may have a review date that has
    passed by now (the services refuse a review date before today)."""
    with mock.patch.object(services, "_today", return_value=timezone.localdate() - timedelta(days=days)):
        yield


def followup_person(world: World, *, first_name: str = "Oppfølging", last_name: str = "Matrisesen") -> Person:
    person = Person.objects.filter(first_name=first_name, last_name=last_name).first()
    if person is not None:
        return person
    return make_person(world, first_name=first_name, last_name=last_name, birth_year=1979)


def build_followup(world: World) -> Followup:
    """A person in Evje with one of everything (episode, referral, goal, plan v1+v2, measure, care team,
    meeting, crisis plan, feedback, board entry, reminder). Idempotent."""
    ensure_builtin_instruments()
    person = followup_person(world)
    koordinator = world.user("koordinator.evje")
    unit = world.org(EVJE_UNIT)
    episode = Episode.objects.filter(person=person).first()
    if episode is None:
        episode = services.episode_start(
            actor=koordinator, person=person, phase=Phase.EARLY, units=[unit], coordinator=koordinator
        )
        services.referral_create(
            actor=koordinator,
            episode=episode,
            direction="out",
            agency="tsb",
            referred_on=timezone.localdate() - timedelta(days=30),
        )
        goal = services.goal_create(actor=koordinator, person=person, text="Å ha en fast plass å bo")
        services.mapping_record(actor=koordinator, person=person, ratings=ALL_GREEN)
        with days_ago(30):
            services.plan_save(
                actor=koordinator,
                person=person,
                expected_version=0,
                next_review_on=timezone.localdate() - timedelta(days=3),
                resources="Glad i turer",
            )
        services.measure_create(
            actor=koordinator,
            person=person,
            goal=goal,
            title="Søke kommunal bolig",
            responsible="Boligkontoret",
            responsible_user=koordinator,
            start_on=timezone.localdate() - timedelta(days=60),
            end_on=timezone.localdate() - timedelta(days=1),
        )
        with days_ago(20):
            services.plan_save(
                actor=koordinator,
                person=person,
                expected_version=1,
                needs="Bolig",
                change_note="Bolig lagt til",
            )
        services.care_team_add(
            actor=koordinator,
            person=person,
            name="Nora NAV",
            agency="nav",
            role_title="Veileder",
            consent_to_share=True,
        )
        services.meeting_create(
            actor=koordinator, person=person, starts_at=timezone.now() + timedelta(days=7), agenda="Bolig"
        )
        services.crisis_plan_save(
            actor=koordinator,
            person=person,
            expected_version=0,
            warning_signs="Sover dårlig",
            what_helps="Gå tur",
            contacts="Kari, 99999999",
        )
        outcome = Instrument.objects.get(slug="livskvalitet-kort")
        services.feedback_record(actor=koordinator, person=person, instrument=outcome, values=[5, 5, 5, 5, 5])
        services.board_add(
            actor=koordinator, unit=unit, person=person, reason="Mistet bolig", responsible=koordinator
        )
        from mestring.followup.tasks import create_reminders

        create_reminders()
    return Followup(
        person=person,
        episode=episode,
        referral=Referral.objects.filter(episode=episode).first(),  # type: ignore[arg-type]
        goal=Goal.objects.filter(person=person).first(),  # type: ignore[arg-type]
        measure=Measure.objects.filter(person=person).first(),  # type: ignore[arg-type]
        member=CareTeamMember.objects.filter(person=person, user__isnull=True).first(),  # type: ignore[arg-type]
        meeting=Meeting.objects.filter(person=person).first(),  # type: ignore[arg-type]
        reminder=Reminder.objects.filter(person=person).first(),  # type: ignore[arg-type]
        entry=BoardEntry.objects.filter(person=person).first(),  # type: ignore[arg-type]
    )


def plan_versions(person: Person) -> list[PlanVersion]:
    return list(PlanVersion.objects.filter(plan__person=person).order_by("number"))


def aware(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))
