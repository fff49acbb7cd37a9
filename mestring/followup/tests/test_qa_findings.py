"""Findings from the QA walk of the demo: duplicate FACT-board entries, staff stored under another name,
impossible dates, one-click removals, the decision form, preselected ratings, number formatting, phone
numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from mestring.core.testing.personas import client_for
from mestring.followup import selectors, services
from mestring.followup.forms import CareTeamForm, GoalRatingForm
from mestring.followup.models import (
    BoardEntry,
    CareTeamMember,
    Goal,
    GoalRating,
    Instrument,
    Measure,
    PersonMapping,
)
from mestring.followup.tests.fixtures import ALL_GREEN, build_followup
from mestring.mapping.areas import AREA_CODES

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):  # type: ignore[no-untyped-def]
    return build_followup(world)


def url(name: str, person, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"followup:{name}", kwargs={"person_id": person.pk, **kwargs})


# 1. FACT board: a person already on the board is not replaced silently ---------------------------------


def test_board_add_does_not_offer_or_replace_a_person_already_on_the_board(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    unit_id = data.entry.unit_id
    page = client.get(reverse("followup:board_add") + f"?enhet={unit_id}").content.decode()
    assert f">{data.person}</option>" not in page  # not in the list
    response = client.post(  # a stale form names the person anyway
        reverse("followup:board_add") + f"?enhet={unit_id}",
        {"person": data.person.pk, "reason": "Igjen", "responsible": "", "enhet": unit_id},
    )
    assert response.status_code == 200
    assert "er allerede på FACT-tavla" in response.content.decode()
    entry = BoardEntry.objects.get(pk=data.entry.pk)
    assert entry.reason == "Mistet bolig" and entry.responsible is not None
    assert BoardEntry.objects.filter(person=data.person, removed_at__isnull=True).count() == 1


def test_board_add_service_refuses_a_second_open_entry(data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.board_add(
            actor=data.episode.coordinator, unit=data.entry.unit, person=data.person, reason="Igjen"
        )
    assert "person" in exc.value.message_dict
    assert BoardEntry.objects.get(pk=data.entry.pk).reason == "Mistet bolig"


# 4. Care team: a staff member keeps their own name ----------------------------------------------------


def test_care_team_staff_member_cannot_get_another_name(data, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    staff = world.user("ruskonsulent.setesdal")
    response = client.post(
        url("care_team", data.person), {"user": staff.pk, "name": "Noen annen", "agency": "municipal"}
    )
    assert response.status_code == 200
    assert "Navnet er bare for eksterne deltakere" in response.content.decode()
    assert not CareTeamMember.objects.filter(person=data.person, name="Noen annen").exists()
    with pytest.raises(ValidationError) as exc:
        services.care_team_add(
            actor=data.episode.coordinator, person=data.person, user=staff, name="Noen annen"
        )
    assert "name" in exc.value.message_dict
    member = services.care_team_add(actor=data.episode.coordinator, person=data.person, user=staff)
    assert member.name == staff.get_full_name()


# 26. Phone numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["abcdefg", "12", "400-10-200", "+47 4001020x", "1" * 16])
def test_care_team_phone_must_be_a_phone_number(data, phone) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    payload = {"name": "Nabo", "agency": "relative", "phone": phone}
    response = client.post(url("care_team", data.person), payload)
    assert response.status_code == 200 and "Skriv telefonnummeret med sifre" in response.content.decode()
    assert not CareTeamMember.objects.filter(person=data.person, name="Nabo").exists()
    with pytest.raises(ValidationError) as exc:
        services.care_team_add(
            actor=data.episode.coordinator, person=data.person, name="Nabo", agency="relative", phone=phone
        )
    assert "phone" in exc.value.message_dict


@pytest.mark.parametrize("phone", ["400 10 200", "+47 400 10 200", "113", "41234567"])
def test_care_team_phone_accepts_real_numbers(data, phone) -> None:  # type: ignore[no-untyped-def]
    member = services.care_team_add(
        actor=data.episode.coordinator, person=data.person, name="Nabo", agency="relative", phone=phone
    )
    assert member.phone == phone


# 5. Dates that make no sense ----------------------------------------------------------------------------


def test_mapping_date_before_birth_is_refused(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    before = PersonMapping.objects.filter(person=data.person).count()
    payload = dict.fromkeys(AREA_CODES, "gul") | {"assessed_on": "1900-01-01"}
    response = client.post(url("mapping_create", data.person), payload)
    assert response.status_code == 200
    assert "Datoen kan ikke være før personen ble født (1979)." in response.content.decode()
    with pytest.raises(ValidationError) as exc:
        services.mapping_record(
            actor=data.episode.coordinator,
            person=data.person,
            ratings=ALL_GREEN,
            assessed_on=date(1978, 12, 31),
        )
    assert "assessed_on" in exc.value.message_dict
    assert PersonMapping.objects.filter(person=data.person).count() == before


def test_goal_rating_date_in_the_future_is_refused(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    future = timezone.localdate() + timedelta(days=1)
    payload = {"progress": "3", "confidence": "3", "satisfaction": "3", "rated_on": future.isoformat()}
    response = client.post(url("goal_rate", data.person, goal_id=data.goal.pk), payload)
    assert response.status_code == 200 and "Datoen kan ikke være fram i tid." in response.content.decode()
    assert not GoalRating.objects.filter(goal=data.goal).exists()
    for day in (future, date(1900, 1, 1)):
        with pytest.raises(ValidationError) as exc:
            services.goal_rate(
                actor=data.episode.coordinator,
                goal=data.goal,
                progress=3,
                confidence=3,
                satisfaction=3,
                rated_on=day,
            )
        assert "rated_on" in exc.value.message_dict


def test_feedback_and_meeting_dates(data) -> None:  # type: ignore[no-untyped-def]
    coordinator = data.episode.coordinator
    outcome = Instrument.objects.get(slug="livskvalitet-kort")
    with pytest.raises(ValidationError) as exc:
        services.feedback_record(
            actor=coordinator,
            person=data.person,
            instrument=outcome,
            values=[5] * 5,
            answered_on=date(1950, 1, 1),
        )
    assert "answered_on" in exc.value.message_dict
    meeting = data.meeting  # a week ahead
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(
            actor=coordinator,
            meeting=meeting,
            expected_version=meeting.version,
            starts_at=meeting.starts_at,
            status="held",
            minutes="Referat",
        )
    assert "starts_at" in exc.value.message_dict
    client = client_for("koordinator.evje")
    response = client.post(url("meeting_create", data.person), {"starts_at": "1901-05-01T10:00"})
    assert (
        response.status_code == 200
        and "Datoen kan ikke være før personen ble født" in response.content.decode()
    )


def test_date_without_known_birth_has_a_floor(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.people.tests.fixtures import make_person

    person = make_person(world, first_name="Uten", last_name="Fødselsår")
    person.birth_date, person.birth_year = None, None
    assert services.date_errors(person, date(1899, 12, 31)) == ["Datoen kan ikke være før 01.01.1900."]
    assert services.date_errors(person, date(1900, 1, 1)) == []


# 12. Confirmation before ending a care-team member or taking someone off the board ---------------------


def test_care_team_end_asks_first(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    team_page = client.get(url("care_team", data.person)).content.decode()
    end_url = url("care_team_end", data.person, member_id=data.member.pk)
    assert f'href="{end_url}"' in team_page
    confirm = client.get(end_url)
    assert confirm.status_code == 200 and "Avslutte Nora NAV i ansvarsgruppen?" in confirm.content.decode()
    assert CareTeamMember.objects.get(pk=data.member.pk).valid_to is None
    assert client.post(end_url).status_code == 302
    assert CareTeamMember.objects.get(pk=data.member.pk).valid_to is not None


def test_board_remove_asks_first_with_and_without_javascript(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    remove_url = reverse("followup:board_remove", args=[data.entry.pk])
    board = client.get(reverse("followup:board")).content.decode()
    assert f'href="{remove_url}"' in board and f'hx-post="{remove_url}"' in board and "hx-confirm=" in board
    confirm = client.get(remove_url)
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "av FACT-tavla?" in body and "Mistet bolig" in body
    assert BoardEntry.objects.get(pk=data.entry.pk).removed_at is None
    assert client.post(remove_url).status_code == 302
    assert BoardEntry.objects.get(pk=data.entry.pk).removed_at is not None


# 16. The meeting decision form ---------------------------------------------------------------------------


def test_decision_errors_stay_on_the_meeting_page(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    meeting_url = url("meeting", data.person, meeting_id=data.meeting.pk)
    page = client.get(meeting_url).content.decode()
    assert "Må fylles ut når du velger «Opprett nytt tiltak»." in page
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        url("decision_add", data.person, meeting_id=data.meeting.pk),
        {
            "beslutning-text": "Starte aktivitetsgruppe",
            "beslutning-action": "create",
            "beslutning-end_on": yesterday.isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Saksliste, oppmøte og referat" in body  # the meeting around the form
    assert "Sluttdatoen kan ikke være før i dag, når tiltaket starter." in body
    assert "Skriv hva det nye tiltaket er." in body and "Skriv hvem som er ansvarlig." in body
    assert 'value="Starte aktivitetsgruppe"' in body or "Starte aktivitetsgruppe</textarea>" in body
    assert not Measure.objects.filter(
        person=data.person, start_on=timezone.localdate(), end_on=yesterday
    ).exists()


def test_decision_change_end_before_measure_start(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    measure = data.measure
    response = client.post(
        url("decision_add", data.person, meeting_id=data.meeting.pk),
        {
            "beslutning-text": "Kortere",
            "beslutning-action": "change",
            "beslutning-measure": measure.pk,
            "beslutning-end_on": (measure.start_on - timedelta(days=1)).isoformat(),
        },
    )
    assert "Sluttdatoen kan ikke være før tiltaket startet" in response.content.decode()


# 20. Goal rating: nothing preselected --------------------------------------------------------------------


def test_goal_rating_has_no_preselected_value(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    page = client.get(url("goal_rate", data.person, goal_id=data.goal.pk)).content.decode()
    assert 'value="1" selected' not in page
    form = GoalRatingForm({"progress": "4", "rated_on": timezone.localdate().isoformat()})
    assert not form.is_valid()
    assert form.errors["confidence"] == ["Velg en verdi fra 1 til 5."]
    assert form.errors["satisfaction"] == ["Velg en verdi fra 1 til 5."]
    response = client.post(
        url("goal_rate", data.person, goal_id=data.goal.pk),
        {"progress": "4", "rated_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200 and not GoalRating.objects.filter(goal=data.goal).exists()


# 21. Scores in Norwegian notation ----------------------------------------------------------------------


def test_feedback_message_and_overview_show_scores_with_decimal_comma(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    instrument = Instrument.objects.get(slug="livskvalitet-kort")
    answers = {f"item_{item.pk}": "7" for item in instrument.items.all()}
    response = client.post(
        url("feedback_answer", data.person, slug=instrument.slug),
        {**answers, "answered_on": timezone.localdate().isoformat()},
        follow=True,
    )
    body = response.content.decode()
    assert "skår 7,0" in body.lower() or "Skåren 7,0" in body
    assert "7.0" not in body
    overview = client.get(url("person", data.person)).content.decode()
    assert "siste skår 7,0" in overview


# 22. Number agreement in "changed since the previous meeting" -------------------------------------------


def test_change_counts_agree_in_number() -> None:
    with override("nb"):
        assert selectors.action_label("created", 1) == "1 ny"
        assert selectors.action_label("created", 3) == "3 nye"
        assert selectors.action_label("changed", 2) == "2 endret"
        assert selectors.action_label("removed", 1) == "1 slettet"


def test_meeting_page_says_1_ny(data) -> None:  # type: ignore[no-untyped-def]
    coordinator = data.episode.coordinator
    # the fixture's goal and crisis plan were written after this earlier meeting
    services.meeting_create(
        actor=coordinator, person=data.person, starts_at=timezone.now() - timedelta(days=10)
    )
    page = url("meeting", data.person, meeting_id=data.meeting.pk)
    body = client_for("koordinator.evje").get(page).content.decode()
    assert "Mål: 1 ny<" in body and "Kriseplan: 1 ny<" in body and "1 nye" not in body
    services.goal_create(actor=coordinator, person=data.person, text="Et nytt mål")
    body = client_for("koordinator.evje").get(page).content.decode()
    assert "Mål: 2 nye<" in body


# 24. Goal text length ------------------------------------------------------------------------------------


def test_goal_text_has_a_limit_in_model_form_and_service(data) -> None:  # type: ignore[no-untyped-def]
    assert Goal._meta.get_field("text").max_length == 2000
    client = client_for("koordinator.evje")
    response = client.post(url("goals", data.person), {"text": "x" * 2001})
    assert response.status_code == 200 and not Goal.objects.filter(text="x" * 2001).exists()
    with pytest.raises(ValidationError):
        services.goal_create(actor=data.episode.coordinator, person=data.person, text="y" * 5000)


def test_care_team_form_refuses_letters_in_phone(data) -> None:  # type: ignore[no-untyped-def]
    from mestring.accounts.models import Membership

    membership = Membership.objects.filter(user=data.episode.coordinator).get()
    form = CareTeamForm(
        {"name": "Ekstern", "agency": "relative", "phone": "abc"}, person=data.person, membership=membership
    )
    assert not form.is_valid() and "phone" in form.errors
