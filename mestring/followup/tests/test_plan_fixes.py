"""Individual plan: the plan page shows the saved version and what changed since, no empty versions, edit
conflicts that can be resolved from the form, review dates in the future, a declined plan's PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mestring.accounts.models import Membership
from mestring.core.testing.personas import client_for
from mestring.followup import services
from mestring.followup.models import IndividualPlan, PlanVersion
from mestring.followup.pdf import plan_html
from mestring.followup.tests.fixtures import followup_person
from mestring.mapping.areas import Phase

pytestmark = pytest.mark.django_db


def url(name: str, person, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"followup:{name}", kwargs={"person_id": person.pk, **kwargs})


@pytest.fixture
def koordinator(world):  # type: ignore[no-untyped-def]
    return Membership.objects.get(
        user__username="koordinator.evje", organisation__slug="evje-rus-psykisk-helse"
    )


@pytest.fixture
def person(world, koordinator):  # type: ignore[no-untyped-def]
    person = followup_person(world, first_name="Plan", last_name="Rettesen")
    services.episode_start(actor=koordinator, person=person, phase=Phase.EARLY, coordinator=koordinator.user)
    return person


def review(days: int = 60) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def form(plan: IndividualPlan, **values: str) -> dict[str, str]:
    data = {
        "version": str(plan.version),
        "resources": plan.resources,
        "needs": plan.needs,
        "participants": plan.participants,
        "time_perspective": plan.time_perspective,
        "next_review_on": plan.next_review_on.isoformat() if plan.next_review_on else "",
        "consent_note": plan.consent_note,
    }
    for name in ("person_participated", "consent_to_share", "rights_informed"):
        if getattr(plan, name):
            data[name] = "on"
    data.update(values)
    return data


def saved_plan(person, koordinator) -> IndividualPlan:  # type: ignore[no-untyped-def]
    services.plan_save(
        actor=koordinator,
        person=person,
        expected_version=0,
        next_review_on=timezone.localdate() + timedelta(days=60),
        resources="Glad i turer",
        needs="Bolig",
    )
    return IndividualPlan.objects.get(person=person)


# --- 14: saved version vs live data; no empty versions ------------------------------------------------


def test_plan_page_shows_saved_version_and_what_changed_since(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    saved_plan(person, koordinator)
    services.care_team_add(
        actor=koordinator,
        person=person,
        name="Nora Bakke",
        agency="nav",
        role_title="Veileder",
        consent_to_share=True,
    )
    page = client_for("koordinator.evje").get(url("plan", person)).content.decode()
    assert "Endret siden versjon 1" in page and "Ansvarsgruppe" in page
    assert "Lagre ny versjon" in page
    notice, saved = page.split("Under står det som er lagret i versjon 1")
    assert "Nora Bakke" in notice.split("Endret siden versjon 1")[1]  # listed as new since the version
    assert "Nora Bakke" not in saved.split("Revider planen")[0]  # not in the saved version's care team


def test_plan_page_without_live_changes_has_no_notice(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    saved_plan(person, koordinator)
    page = client_for("koordinator.evje").get(url("plan", person)).content.decode()
    assert "Endret siden versjon" not in page and "Glad i turer" in page


def test_save_without_changes_makes_no_version(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    plan = saved_plan(person, koordinator)
    assert plan.next_review_on is not None
    with pytest.raises(ValidationError) as exc:
        services.plan_save(
            actor=koordinator,
            person=person,
            expected_version=1,
            next_review_on=plan.next_review_on,
            resources="Glad i turer",
            needs="Bolig",
            change_note="Ingenting",
        )
    assert "Ingen endringer å lagre" in " ".join(exc.value.messages)
    assert PlanVersion.objects.filter(plan=plan).count() == 1
    # Moving the review date is a deliberate review: it is a change.
    version = services.plan_save(
        actor=koordinator,
        person=person,
        expected_version=1,
        next_review_on=plan.next_review_on + timedelta(days=1),
    )
    assert version.number == 2


def test_save_without_changes_on_the_page_says_so(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    plan = saved_plan(person, koordinator)
    client = client_for("koordinator.evje")
    response = client.post(url("plan_edit", person), form(plan))
    assert response.status_code == 200 and "Ingen endringer å lagre" in response.content.decode()
    assert PlanVersion.objects.filter(plan=plan).count() == 1


def test_live_change_alone_may_be_saved_as_a_version(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    plan = saved_plan(person, koordinator)
    services.goal_create(actor=koordinator, person=person, text="Jobb")
    response = client_for("koordinator.evje").post(url("plan_edit", person), form(plan))
    assert response.status_code == 302
    assert PlanVersion.objects.filter(plan=plan).count() == 2


# --- 15: edit conflicts -----------------------------------------------------------------------------------


def test_conflict_shows_theirs_keeps_mine_and_second_save_wins(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    plan = saved_plan(person, koordinator)
    tab1, tab2 = form(plan, needs="Bolig og arbeid"), form(plan, needs="Bolig og økonomi")
    tab2["time_perspective"] = "ett år"
    client = client_for("koordinator.evje")
    assert client.post(url("plan_edit", person), tab1).status_code == 302
    response = client.post(url("plan_edit", person), tab2)
    body = response.content.decode()
    assert response.status_code == 200 and "Noen andre har lagret endringer" in body
    assert "Bolig og arbeid" in body and "Bolig og økonomi" in body  # theirs next to mine
    assert 'name="version" value="2"' in body  # the hidden version is now the current one
    # A second save from the same (stale) tab without reloading: still a conflict? No – version moved on.
    again = response.context["form"].data.copy()
    assert again["needs"] == "Bolig og økonomi" and again["version"] == "2"
    assert client.post(url("plan_edit", person), again).status_code == 302
    plan.refresh_from_db()
    assert plan.version == 3 and plan.needs == "Bolig og økonomi" and plan.time_perspective == "ett år"


def test_conflict_takes_in_fields_only_the_other_person_changed(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    plan = saved_plan(person, koordinator)
    tab1, tab2 = form(plan, resources="Glad i turer og fiske"), form(plan, needs="Bolig og økonomi")
    client = client_for("koordinator.evje")
    assert client.post(url("plan_edit", person), tab1).status_code == 302
    response = client.post(url("plan_edit", person), tab2)
    assert response.status_code == 200
    again = response.context["form"].data.copy()
    assert again["resources"] == "Glad i turer og fiske"  # theirs kept, not overwritten by my stale copy
    assert client.post(url("plan_edit", person), again).status_code == 302
    plan.refresh_from_db()
    assert plan.resources == "Glad i turer og fiske" and plan.needs == "Bolig og økonomi"


def test_decline_conflict_can_be_confirmed(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    plan = saved_plan(person, koordinator)
    client = client_for("koordinator.evje")
    stale = {"version": "0", "reason": "Vil ikke", "declined_on": timezone.localdate().isoformat()}
    response = client.post(url("plan_decline", person), stale)
    assert response.status_code == 200 and 'name="version" value="1"' in response.content.decode()
    assert client.post(url("plan_decline", person), {**stale, "version": "1"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == IndividualPlan.Status.DECLINED


# --- 5b: next review today or later ----------------------------------------------------------------------


def test_review_date_in_the_past_is_refused(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.plan_save(
            actor=koordinator,
            person=person,
            expected_version=0,
            next_review_on=timezone.localdate() - timedelta(days=1),
        )
    assert "next_review_on" in exc.value.message_dict
    assert not IndividualPlan.objects.filter(person=person).exists()
    services.plan_save(
        actor=koordinator, person=person, expected_version=0, next_review_on=timezone.localdate()
    )
    client = client_for("koordinator.evje")
    plan = IndividualPlan.objects.get(person=person)
    response = client.post(url("plan_edit", person), form(plan, next_review_on="2020-01-01", needs="Ny"))
    assert response.status_code == 200 and "i dag eller senere" in response.content.decode()
    api = reverse("followup-plan", kwargs={"person_id": person.pk})
    response = client.put(
        api, {"version": 1, "next_review_on": "2020-01-01"}, content_type="application/json"
    )
    assert response.status_code == 400 and "next_review_on" in response.json()


def test_plan_with_an_old_review_date_still_shows(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    plan = saved_plan(person, koordinator)
    IndividualPlan.objects.filter(pk=plan.pk).update(next_review_on=timezone.localdate() - timedelta(days=30))
    client = client_for("koordinator.evje")
    assert client.get(url("plan", person)).status_code == 200
    assert client.get(url("plan_edit", person)).status_code == 200
    assert client.get(reverse("followup:caseload")).status_code == 200


# --- 19: the declined plan's PDF; no sentence without its value -------------------------------------------


def test_declined_plan_pdf_says_declined_coordinator_and_ask_any_time(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    services.plan_decline(actor=koordinator, person=person, expected_version=0, reason="Vil vente")
    plan = IndividualPlan.objects.get(person=person)
    version = plan.versions.get()
    html = plan_html(person=person, plan=plan, version=version)
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert "sagt nei til individuell plan" in html and today in html
    assert "Koordinatoren din er" in html and str(koordinator.user) in html
    assert "når som helst" in html
    assert "Vi ser på planen sammen igjen" not in html
    assert "–." not in html and "– ." not in html


def test_pdf_has_no_empty_value_sentences_and_names_duties(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    services.plan_save(
        actor=koordinator, person=person, expected_version=0, next_review_on=timezone.localdate()
    )
    plan = IndividualPlan.objects.get(person=person)
    html = plan_html(person=person, plan=plan, version=plan.versions.get())
    assert "<p>–</p>" not in html and "–." not in html
    assert "Ikke skrevet ned ennå" in html
    assert "plikter" in html  # rights *and* duties


def test_unchanged_save_through_the_api_is_a_400_and_declining_twice_is_refused(person, koordinator) -> None:  # type: ignore[no-untyped-def]
    plan = saved_plan(person, koordinator)
    assert plan.next_review_on is not None
    client = client_for("koordinator.evje")
    api = reverse("followup-plan", kwargs={"person_id": person.pk})
    body = {"version": 1, "next_review_on": plan.next_review_on.isoformat()}
    response = client.put(api, body, content_type="application/json")
    assert response.status_code == 400 and "Ingen endringer å lagre" in str(response.json())
    assert PlanVersion.objects.filter(plan=plan).count() == 1
    services.plan_decline(actor=koordinator, person=person, expected_version=1, reason="Nei")
    with pytest.raises(ValidationError) as exc:
        services.plan_decline(actor=koordinator, person=person, expected_version=2, reason="Nei")
    assert "allerede registrert" in " ".join(exc.value.messages)
