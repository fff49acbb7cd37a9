"""Findings from the QA walk of the pathway and the API: ending an episode (future end date; open measures,
FACT board and reminders left behind), impossible referral sequences, instrument scales and bands, and the
API's 404 answers and silently dropped fields."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mestring.core.testing.personas import client_for
from mestring.followup import services
from mestring.followup.models import BoardEntry, Episode, Instrument, Measure, Referral, Reminder
from mestring.followup.tests.fixtures import build_followup
from mestring.mapping.areas import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):  # type: ignore[no-untyped-def]
    return build_followup(world)


def url(name: str, person, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"followup:{name}", kwargs={"person_id": person.pk, **kwargs})


def api(name: str, person, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"person_id": person.pk, **kwargs})


def _episode_post(data, **overrides):  # type: ignore[no-untyped-def]
    episode = Episode.objects.get(pk=data.episode.pk)
    return {
        "phase": episode.phase,
        "started_on": episode.started_on.isoformat(),
        "ended_on": "",
        "units": [u.pk for u in episode.units.all()],
        "note": "",
        "version": episode.version,
        **overrides,
    }


# 1. Ending an episode ------------------------------------------------------------------------------------


def test_episode_cannot_end_in_the_future(data) -> None:  # type: ignore[no-untyped-def]
    tomorrow = timezone.localdate() + timedelta(days=1)
    episode = Episode.objects.get(pk=data.episode.pk)
    with pytest.raises(ValidationError) as exc:
        services.episode_update(
            actor=data.episode.coordinator,
            episode=episode,
            expected_version=episode.version,
            phase=episode.phase,
            started_on=episode.started_on,
            ended_on=tomorrow,
            units=list(episode.units.all()),
        )
    assert "ended_on" in exc.value.message_dict
    response = client_for("koordinator.evje").post(
        url("episode_edit", data.person, episode_id=episode.pk),
        _episode_post(data, ended_on=tomorrow.isoformat()),
    )
    assert response.status_code == 200
    assert "Datoen kan ikke være fram i tid." in response.content.decode()
    assert Episode.objects.get(pk=episode.pk).ended_on is None


def test_ending_an_episode_closes_measures_board_and_reminders(data) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    assert Measure.objects.filter(person=data.person, status__in=Measure.OPEN).exists()
    assert BoardEntry.objects.filter(person=data.person, removed_at__isnull=True).exists()
    assert Reminder.objects.filter(person=data.person, done_at__isnull=True).exists()
    later = services.measure_create(  # planned to start after the episode ends
        actor=None,
        person=data.person,
        title="Arbeidstrening",
        responsible="NAV",
        start_on=today + timedelta(days=10),
    )
    response = client_for("koordinator.evje").post(
        url("episode_edit", data.person, episode_id=data.episode.pk),
        _episode_post(data, ended_on=today.isoformat()),
        follow=True,
    )
    page = response.content.decode()
    assert "Forløpet er avsluttet." in page
    assert "2 åpne tiltak er satt til «Avsluttet uten å fullføres»." in page
    assert "Personen er tatt av FACT-tavla." in page
    assert Episode.objects.get(pk=data.episode.pk).ended_on == today
    assert not Measure.objects.filter(person=data.person, status__in=Measure.OPEN).exists()
    overdue = Measure.objects.get(pk=data.measure.pk)
    assert overdue.status == Measure.Status.STOPPED and overdue.end_on == today - timedelta(days=1)
    later.refresh_from_db()
    assert later.status == Measure.Status.STOPPED and later.end_on == later.start_on
    assert not BoardEntry.objects.filter(person=data.person, removed_at__isnull=True).exists()
    assert not Reminder.objects.filter(person=data.person, done_at__isnull=True).exists()


def test_saving_an_already_ended_episode_changes_nothing_else(data) -> None:  # type: ignore[no-untyped-def]
    episode = Episode.objects.get(pk=data.episode.pk)
    today = timezone.localdate()
    services.episode_update(
        actor=None,
        episode=episode,
        expected_version=episode.version,
        phase=episode.phase,
        started_on=episode.started_on,
        ended_on=today,
        units=list(episode.units.all()),
    )
    measure = services.measure_create(actor=None, person=data.person, title="Ny", responsible="NAV")
    services.episode_update(
        actor=None,
        episode=episode,
        expected_version=episode.version,
        phase=episode.phase,
        started_on=episode.started_on,
        ended_on=today,
        units=list(episode.units.all()),
        note="Merknad",
    )
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PLANNED


# 2. Referrals: impossible sequences ----------------------------------------------------------------------


def test_referral_cannot_start_before_it_was_answered(data) -> None:  # type: ignore[no-untyped-def]
    referral = Referral.objects.get(pk=data.referral.pk)
    answered = referral.referred_on + timedelta(days=10)
    with pytest.raises(ValidationError) as exc:
        services.referral_update(
            actor=None,
            referral=referral,
            status=Referral.Status.STARTED,
            answered_on=answered,
            started_on=answered - timedelta(days=1),
        )
    assert exc.value.message_dict["started_on"] == ["Oppstart kan ikke være før svaret på henvisningen."]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT and referral.answered_on is None


def test_referral_started_status_needs_a_start_that_has_happened(data) -> None:  # type: ignore[no-untyped-def]
    referral = Referral.objects.get(pk=data.referral.pk)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.referral_update(
            actor=None, referral=referral, status=Referral.Status.STARTED, started_on=tomorrow
        )
    assert "started_on" in exc.value.message_dict
    # a planned start date is fine while the referral is accepted and waiting
    services.referral_update(
        actor=None, referral=referral, status=Referral.Status.ACCEPTED, started_on=tomorrow
    )
    referral.refresh_from_db()
    assert referral.started_on == tomorrow and referral.is_waiting


# 3. Feedback instruments ---------------------------------------------------------------------------------


INSTRUMENT = {
    "name": "Prøve",
    "slug": "prove",
    "purpose": "session",
    "description": "",
    "items": "Spørsmål 1\nSpørsmål 2",
    "scale_min": 0,
    "scale_max": 10,
    "low_label": "",
    "high_label": "",
    "scoring": "sum",
    "expected_gain_per_session": 0,
    "expected_gain_max": 0,
    "band_width": 0,
    "alert_below": 0,
}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"items": "Kort\n" + "x" * 301}, "items", "Spørsmål 2 er for langt (høyst 300 tegn)."),
        ({"alert_below": 21}, "alert_below", "Varslingsgrensen kan ikke være over høyeste mulige skår (20)."),
        (
            {"expected_gain_per_session": 2, "expected_gain_max": 1},
            "expected_gain_max",
            "Taket for forventet bedring kan ikke være lavere enn forventet bedring per samtale.",
        ),
        (
            {"scoring": "mean", "expected_gain_max": 11},
            "expected_gain_max",
            "Forventet bedring kan ikke være større enn skårens spenn (10).",
        ),
        ({"band_width": 25}, "band_width", "Båndbredden kan ikke være større enn skårens spenn (20)."),
    ],
)
def test_instrument_refuses_bad_items_and_band_values(world, overrides, field, message) -> None:  # type: ignore[no-untyped-def]
    response = client_for("leder.suldal").post(
        reverse("followup:instrument_create"), {**INSTRUMENT, **overrides}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field]
    assert not Instrument.objects.filter(slug="prove").exists()


def test_instrument_with_sound_values_is_created(world) -> None:  # type: ignore[no-untyped-def]
    response = client_for("leder.suldal").post(
        reverse("followup:instrument_create"),
        {**INSTRUMENT, "alert_below": 20, "items": "x" * 300 + "\nKort"},
    )
    assert response.status_code == 302
    assert Instrument.objects.get(slug="prove").items.first().text == "x" * 300  # type: ignore[union-attr]


# 4. API --------------------------------------------------------------------------------------------------


def test_api_404_is_norwegian_and_the_same_for_unknown_and_foreign_persons(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    unknown = client.get(reverse("followup-goal-detail", kwargs={"person_id": data.person.pk, "pk": 999999}))
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Fant ikke posten."}
    missing_person = client.get(reverse("followup-goal-list", kwargs={"person_id": 999999}))
    foreign_person = client_for("leder.valle").get(api("followup-goal-list", data.person))
    assert missing_person.status_code == foreign_person.status_code == 404
    assert missing_person.json() == foreign_person.json() == {"detail": "Fant ikke personen."}
    instrument = client.get(reverse("followup-instrument-detail", kwargs={"slug": "finnes-ikke"}))
    assert instrument.status_code == 404 and instrument.json() == {"detail": "Fant ikke posten."}


def test_api_plan_404_says_there_is_no_plan(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.followup.tests.fixtures import followup_person

    person = followup_person(world, first_name="Uten", last_name="Plan")
    services.episode_start(
        actor=world.user("koordinator.evje"),
        person=person,
        phase=Phase.EARLY,
        coordinator=world.user("koordinator.evje"),
    )
    client = client_for("koordinator.evje")
    for name in ("followup-plan", "followup-plan-diff"):
        response = client.get(api(name, person))
        assert response.status_code == 404
        assert response.json() == {"detail": "Personen har ingen individuell plan ennå."}


def test_api_episode_create_refuses_an_end_date(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.followup.tests.fixtures import followup_person

    person = followup_person(world, first_name="Nytt", last_name="Forløp")
    services.episode_start(
        actor=world.user("koordinator.evje"),
        person=person,
        phase=Phase.EARLY,
        coordinator=world.user("koordinator.evje"),
    )
    episode = Episode.objects.get(person=person)
    services.episode_update(
        actor=None,
        episode=episode,
        expected_version=episode.version,
        phase=episode.phase,
        started_on=episode.started_on,
        ended_on=timezone.localdate(),
        units=list(episode.units.all()),
    )
    response = client_for("koordinator.evje").post(
        api("followup-episode-list", person),
        {"phase": Phase.EARLY, "ended_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400 and "ended_on" in response.json()
    assert Episode.objects.filter(person=person).count() == 1


def test_waiting_time_counts_to_today_while_a_planned_start_is_ahead(data) -> None:  # type: ignore[no-untyped-def]
    referral = Referral.objects.get(pk=data.referral.pk)  # referred 30 days ago
    planned = timezone.localdate() + timedelta(days=14)
    services.referral_update(
        actor=None, referral=referral, status=Referral.Status.ACCEPTED, started_on=planned
    )
    referral.refresh_from_db()
    assert referral.waiting_days() == 30
    response = client_for("koordinator.evje").get(api("followup-episode-list", data.person))
    assert response.json()["results"][0]["referrals"][0]["waiting_days"] == 30
    assert referral.waiting_days(today=planned + timedelta(days=3)) == 44  # started on the planned day


def test_schema_says_an_episode_may_have_no_coordinator(data) -> None:  # type: ignore[no-untyped-def]
    import yaml

    schema = yaml.safe_load(client_for("koordinator.evje").get("/api/schema/").content)
    assert schema["components"]["schemas"]["Episode"]["properties"]["coordinator"].get("nullable") is True


def test_crisis_plan_page_has_a_print_button(data) -> None:  # type: ignore[no-untyped-def]
    page = client_for("koordinator.evje").get(url("crisis_plan", data.person)).content.decode()
    assert "data-print" in page and "Skriv ut kriseplanen" in page
    assert "followup/print.js" in page
    assert 'class="ds-paragraph actions"' in page  # back link and buttons are left out of the printout


def test_reopening_an_episode_while_another_is_open_is_refused(data) -> None:  # type: ignore[no-untyped-def]
    episode = Episode.objects.get(pk=data.episode.pk)
    services.episode_update(
        actor=None,
        episode=episode,
        expected_version=episode.version,
        phase=episode.phase,
        started_on=episode.started_on,
        ended_on=timezone.localdate(),
        units=list(episode.units.all()),
    )
    services.episode_start(actor=None, person=data.person, phase=Phase.EARLY)
    episode.refresh_from_db()
    response = client_for("koordinator.evje").patch(
        api("followup-episode-detail", data.person, pk=episode.pk),
        {"ended_on": None, "version": episode.version},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "ended_on": ["Personen har et annet åpent forløp. Avslutt det før du åpner dette igjen."]
    }
    episode.refresh_from_db()
    assert episode.ended_on == timezone.localdate()
    page = client_for("koordinator.evje").post(
        url("episode_edit", data.person, episode_id=episode.pk), _episode_post(data, ended_on="")
    )
    assert page.status_code == 200 and "Personen har et annet åpent forløp." in page.content.decode()
