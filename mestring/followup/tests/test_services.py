"""Follow-up services: invariants, optimistic locking, no partial writes, audit, care team → tjenstlig
behov."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mestring.accounts.models import Membership
from mestring.audit.models import ChangeLog
from mestring.followup import services
from mestring.followup.diff import plan_diff
from mestring.followup.models import (
    CareTeamMember,
    Decision,
    Episode,
    FeedbackScore,
    Instrument,
    Measure,
    Meeting,
    PersonMapping,
    PlanVersion,
)
from mestring.followup.tests.fixtures import ALL_GREEN, followup_person
from mestring.mapping.areas import Phase, Rating
from mestring.people.models import CareTeamMembership
from mestring.people.selectors import persons_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world):  # type: ignore[no-untyped-def]
    return followup_person(world, first_name="Tjeneste", last_name="Testesen")


@pytest.fixture
def koordinator(world):  # type: ignore[no-untyped-def]
    return Membership.objects.get(
        user__username="koordinator.evje", organisation__slug="evje-rus-psykisk-helse"
    )


def test_episode_one_open_and_phase_history(person, koordinator, world) -> None:  # type: ignore[no-untyped-def]
    episode = services.episode_start(actor=koordinator, person=person, phase=Phase.WAITING_TSB)
    with pytest.raises(ValidationError):
        services.episode_start(actor=koordinator, person=person, phase=Phase.EARLY)
    services.episode_update(
        actor=koordinator,
        episode=episode,
        expected_version=episode.version,
        phase=Phase.IN_TSB,
        started_on=episode.started_on,
    )
    episode.refresh_from_db()
    assert [p.phase for p in episode.phase_changes.all()] == [Phase.WAITING_TSB, Phase.IN_TSB]
    assert ChangeLog.objects.filter(person=person, object_type="episode").count() == 2


def test_episode_update_with_stale_version_writes_nothing(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    episode = services.episode_start(actor=koordinator, person=person, phase=Phase.EARLY, note="først")
    stale = episode.version
    services.episode_update(
        actor=koordinator,
        episode=episode,
        expected_version=stale,
        phase=Phase.EARLY,
        started_on=episode.started_on,
        note="andre",
    )
    other = Episode.objects.get(pk=episode.pk)
    with pytest.raises(services.StaleEditError):
        services.episode_update(
            actor=koordinator,
            episode=other,
            expected_version=stale,
            phase=Phase.AFTER,
            started_on=other.started_on,
            note="tredje",
        )
    other.refresh_from_db()
    assert other.note == "andre" and other.phase == Phase.EARLY


def test_coordinator_without_plan_joins_care_team_across_cooperation(person, koordinator, world) -> None:  # type: ignore[no-untyped-def]
    """The Setesdal ruskonsulent as coordinator: on the care team (tjenstlig behov), no plan needed."""
    ruskonsulent = world.user("ruskonsulent.setesdal")
    episode = services.episode_start(
        actor=koordinator, person=person, phase=Phase.EARLY, coordinator=ruskonsulent
    )
    assert episode.coordinator == ruskonsulent
    assert CareTeamMembership.objects.active().filter(person=person, user=ruskonsulent).exists()
    assert CareTeamMember.objects.get(person=person, user=ruskonsulent).role_title == "Koordinator"
    assert not hasattr(person, "individual_plan") or person.individual_plan is None


def test_referral_waiting_time_and_validation(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    episode = services.episode_start(actor=koordinator, person=person, phase=Phase.WAITING_TSB)
    today = timezone.localdate()
    referral = services.referral_create(
        actor=koordinator,
        episode=episode,
        direction="out",
        agency="tsb",
        referred_on=today - timedelta(days=40),
    )
    assert referral.waiting_days() == 40 and referral.is_waiting
    services.referral_update(
        actor=koordinator, referral=referral, status="started", started_on=today - timedelta(days=10)
    )
    referral.refresh_from_db()
    assert referral.waiting_days() == 30 and not referral.is_waiting
    with pytest.raises(ValidationError) as exc:
        services.referral_update(actor=koordinator, referral=referral, started_on=today - timedelta(days=100))
    assert "started_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.referral_update(actor=koordinator, referral=referral, status="started", started_on=None)


def test_goals_own_words_and_sub_goals(person, koordinator, world) -> None:  # type: ignore[no-untyped-def]
    main = services.goal_create(actor=koordinator, person=person, text="  Få meg en jobb  ")
    sub = services.goal_create(actor=koordinator, person=person, text="Ta truckførerbevis", parent=main)
    assert main.text == "Få meg en jobb" and sub.parent == main
    with pytest.raises(ValidationError):
        services.goal_create(actor=koordinator, person=person, text="Under delmål", parent=sub)
    with pytest.raises(ValidationError):
        services.goal_create(actor=koordinator, person=person, text="   ")
    rating = services.goal_rate(actor=koordinator, goal=main, progress=2, confidence=4, satisfaction=3)
    assert rating.progress == 2
    with pytest.raises(ValidationError) as exc:
        services.goal_rate(actor=koordinator, goal=main, progress=6, confidence=0, satisfaction=3)
    assert set(exc.value.message_dict) == {"progress", "confidence"}


def test_mapping_needs_all_eight_areas_and_writes_nothing_on_error(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    ratings = dict(ALL_GREEN)
    del ratings["bolig"]
    with pytest.raises(ValidationError) as exc:
        services.mapping_record(actor=koordinator, person=person, ratings=ratings)
    assert "bolig" in exc.value.message_dict
    assert not PersonMapping.objects.filter(person=person).exists()
    mapping = services.mapping_record(
        actor=koordinator, person=person, ratings={**ALL_GREEN, "bolig": (Rating.RED.value, "Bor hos venner")}
    )
    assert mapping.areas.count() == 8 and mapping.unit is not None
    assert mapping.unit.slug == "evje-rus-psykisk-helse"
    assert mapping.areas.get(area="bolig").note == "Bor hos venner"


def test_plan_versions_snapshot_and_diff(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    review = timezone.localdate() + timedelta(days=90)
    goal = services.goal_create(actor=koordinator, person=person, text="Egen leilighet")
    v1 = services.plan_save(
        actor=koordinator, person=person, expected_version=0, next_review_on=review, resources="Sterk vilje"
    )
    assert v1.number == 1 and v1.snapshot["goals"][0]["text"] == "Egen leilighet"
    measure = services.measure_create(
        actor=koordinator, person=person, title="Søke bolig", responsible="NAV Evje", goal=goal
    )
    with pytest.raises(services.StaleEditError):
        services.plan_save(actor=koordinator, person=person, expected_version=0, next_review_on=review)
    v2 = services.plan_save(
        actor=koordinator,
        person=person,
        expected_version=1,
        next_review_on=review + timedelta(days=30),
        change_note="Nytt tiltak",
    )
    assert v2.number == 2 and PlanVersion.objects.filter(plan__person=person).count() == 2
    diff = plan_diff(v1.snapshot, v2.snapshot)
    assert [str(c.label) for c in diff.fields] == ["Neste evaluering"]
    measures = next(lst for lst in diff.lists if str(lst.label) == "Tiltak")
    assert [(i.kind, i.title) for i in measures.items] == [("added", "Søke bolig")]
    services.measure_update(
        actor=koordinator, measure=measure, expected_version=1, status=Measure.Status.ACTIVE
    )
    v3 = services.plan_save(
        actor=koordinator, person=person, expected_version=2, next_review_on=review + timedelta(days=30)
    )
    changed = next(lst for lst in plan_diff(v2.snapshot, v3.snapshot).lists if str(lst.label) == "Tiltak")
    assert changed.items[0].kind == "changed"
    assert [(str(d.label), d.old, d.new) for d in changed.items[0].details] == [
        ("status", "Planlagt", "Pågår")
    ]


def test_plan_needs_review_date_and_may_be_declined(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.plan_save(actor=koordinator, person=person, expected_version=0)
    assert "next_review_on" in exc.value.message_dict
    version = services.plan_decline(actor=koordinator, person=person, expected_version=0, reason="Ikke nå")
    assert version.snapshot["status"] == "declined" and version.snapshot["decline_reason"] == "Ikke nå"


def test_measure_validation_and_locking(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.measure_create(
            actor=koordinator,
            person=person,
            title="X",
            responsible="",
            start_on=today,
            end_on=today - timedelta(1),
        )
    assert "responsible" in exc.value.message_dict
    assert not Measure.objects.filter(person=person).exists()
    measure = services.measure_create(actor=koordinator, person=person, title="Trening", responsible="Kari")
    services.measure_update(actor=koordinator, measure=measure, expected_version=1, extent="2 t/uke")
    with pytest.raises(services.StaleEditError):
        services.measure_update(actor=koordinator, measure=measure, expected_version=1, extent="3 t/uke")


def test_care_team_internal_gives_access_and_external_needs_consent(person, koordinator, world) -> None:  # type: ignore[no-untyped-def]
    bykle = Membership.objects.get(user__username="ansatt.bykle")
    assert not persons_for(bykle).filter(pk=person.pk).exists()
    member = services.care_team_add(actor=koordinator, person=person, user=world.user("ansatt.bykle"))
    assert persons_for(bykle).filter(pk=person.pk).exists()
    services.care_team_end(actor=koordinator, member=member)
    ended = CareTeamMembership.objects.get(person=person, user__username="ansatt.bykle")
    assert ended.valid_to == timezone.localdate()  # access ends with the day
    with pytest.raises(ValidationError) as exc:
        services.care_team_add(actor=koordinator, person=person, name="Dr. Fastlege", agency="gp")
    assert "consent_to_share" in exc.value.message_dict
    gp = services.care_team_add(
        actor=koordinator, person=person, name="Dr. Fastlege", agency="gp", consent_to_share=True
    )
    mother = services.care_team_add(actor=koordinator, person=person, name="Mor", agency="relative")
    assert not gp.is_internal and mother.agency == "relative"


def test_meeting_decisions_create_and_change_measures(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    gp = services.care_team_add(
        actor=koordinator, person=person, name="Lege", agency="gp", consent_to_share=True
    )
    meeting = services.meeting_create(
        actor=koordinator, person=person, starts_at=timezone.now(), agenda="1. Bolig"
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(
            actor=koordinator, meeting=meeting, expected_version=1, starts_at=meeting.starts_at, status="held"
        )
    assert "minutes" in exc.value.message_dict
    services.meeting_update(
        actor=koordinator,
        meeting=meeting,
        expected_version=1,
        starts_at=meeting.starts_at,
        status="held",
        minutes="Gikk bra",
        present_member_ids=[gp.pk],
        next_meeting_on=timezone.localdate() + timedelta(days=30),
    )
    assert meeting.attendance.get(member=gp).present
    created = services.decision_add(
        actor=koordinator,
        meeting=meeting,
        text="Søke bolig",
        create_measure={"title": "Boligsøknad", "responsible": "Koordinator"},
    )
    assert created.measure is not None
    assert created.action == "created" and created.measure.title == "Boligsøknad"
    changed = services.decision_add(
        actor=koordinator,
        meeting=meeting,
        text="Boligsøknad er sendt",
        change_measure=created.measure,
        measure_changes={"status": Measure.Status.DONE},
    )
    assert changed.measure is not None
    assert changed.measure.status == Measure.Status.DONE and changed.action == "changed"
    # A failing measure change leaves no decision behind (one transaction).
    with pytest.raises(ValidationError):
        services.decision_add(
            actor=koordinator,
            meeting=meeting,
            text="Ugyldig",
            create_measure={"title": "", "responsible": "X"},
        )
    assert Decision.objects.filter(meeting=meeting).count() == 2


def test_crisis_plan_requires_core_fields_and_locks(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.crisis_plan_save(
            actor=koordinator,
            person=person,
            expected_version=0,
            warning_signs="",
            what_helps="x",
            contacts="y",
        )
    assert "warning_signs" in exc.value.message_dict
    plan = services.crisis_plan_save(
        actor=koordinator, person=person, expected_version=0, warning_signs="a", what_helps="b", contacts="c"
    )
    assert plan.version == 1
    with pytest.raises(services.StaleEditError):
        services.crisis_plan_save(
            actor=koordinator,
            person=person,
            expected_version=0,
            warning_signs="a",
            what_helps="b",
            contacts="c",
        )


def test_feedback_record_scores_and_flags(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    outcome = Instrument.objects.get(slug="livskvalitet-kort")
    session = Instrument.objects.get(slug="samtaletilbakemelding")
    today = timezone.localdate()
    first = services.feedback_record(
        actor=koordinator,
        person=person,
        instrument=outcome,
        values=[5, 5, 5, 5, 5],
        answered_on=today - timedelta(14),
    )
    assert first.score == 5.0 and not first.off_track
    low = services.feedback_record(
        actor=koordinator, person=person, instrument=outcome, values=[3, 4, 3, 4, 3], answered_on=today
    )
    assert low.score == 3.4 and low.off_track
    assert services.feedback_record(
        actor=koordinator, person=person, instrument=session, values=[6, 6, 6, 6]
    ).off_track
    with pytest.raises(ValidationError):
        services.feedback_record(actor=koordinator, person=person, instrument=session, values=[6, 6, 6])
    with pytest.raises(ValidationError):
        services.feedback_record(actor=koordinator, person=person, instrument=session, values=[6, 6, 6, 11])
    assert FeedbackScore.objects.filter(person=person).count() == 3


def test_instrument_create_is_configurable(world) -> None:  # type: ignore[no-untyped-def]
    instrument = services.instrument_create(
        slug="egen-skala",
        name="Egen skala",
        purpose="outcome",
        items=["Ett", "", "To"],
        scale_min=1,
        scale_max=5,
        scoring="sum",
        expected_gain_per_session=0.5,
        expected_gain_max=3,
        band_width=1,
    )
    assert instrument.items.count() == 2 and instrument.score_max == 10
    with pytest.raises(ValidationError):
        services.instrument_create(slug="tom", name="Tom", purpose="outcome", items=[" "])
    with pytest.raises(ValidationError):
        services.instrument_create(
            slug="feil", name="Feil", purpose="outcome", items=["a"], scale_min=5, scale_max=5
        )


def test_next_meeting_date_plans_the_next_meeting_once(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    held = services.meeting_create(
        actor=koordinator, person=person, starts_at=timezone.now() - timedelta(days=1), place="NAV Evje"
    )
    next_day = timezone.localdate() + timedelta(days=21)
    for version in (1, 2):
        services.meeting_update(
            actor=koordinator,
            meeting=held,
            expected_version=version,
            starts_at=held.starts_at,
            status="held",
            minutes="Referat",
            next_meeting_on=next_day,
            place="NAV Evje",
        )
    planned = Meeting.objects.filter(person=person, status="planned")
    assert planned.count() == 1
    assert timezone.localtime(planned[0].starts_at).date() == next_day and planned[0].place == "NAV Evje"
