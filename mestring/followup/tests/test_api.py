"""API: same access rules and access log as the pages, 400 with field errors, 409 on stale versions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mestring.audit.models import AccessLog
from mestring.core.testing.personas import client_for
from mestring.followup.models import FeedbackScore, Goal, IndividualPlan
from mestring.followup.tests.fixtures import build_followup

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):  # type: ignore[no-untyped-def]
    return build_followup(world)


def api(name: str, person, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"person_id": person.pk, **kwargs})


def test_lists_log_one_read_and_hide_other_tenants(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    before = AccessLog.objects.filter(person=data.person).count()
    response = client.get(api("followup-episode-list", data.person))
    assert response.status_code == 200
    episode = response.json()["results"][0]
    assert episode["phase"] == "tidlig_innsats" and episode["coordinator"] == "koordinator.evje"
    assert episode["referrals"][0]["waiting_days"] == 30
    assert AccessLog.objects.filter(person=data.person).count() == before + 1
    assert AccessLog.objects.filter(person=data.person).first().what == "API: forløp"  # type: ignore[union-attr]
    assert client_for("leder.valle").get(api("followup-goal-list", data.person)).status_code == 404
    assert client_for("forsker.nasjonal").get(api("followup-goal-list", data.person)).status_code == 403


def test_goal_create_and_field_errors(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("ruskonsulent.setesdal")
    response = client.post(
        api("followup-goal-list", data.person), {"text": ""}, content_type="application/json"
    )
    assert response.status_code == 400 and "text" in response.json()
    response = client.post(
        api("followup-goal-list", data.person), {"text": "Klare meg selv"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Goal.objects.filter(person=data.person, text="Klare meg selv").exists()


def test_measure_update_needs_current_version(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    url = api("followup-measure-detail", data.person, pk=data.measure.pk)
    assert client.patch(url, {"status": "active"}, content_type="application/json").status_code == 400
    version = data.measure.version
    assert (
        client.patch(
            url, {"status": "active", "version": version}, content_type="application/json"
        ).status_code
        == 200
    )
    response = client.patch(url, {"status": "done", "version": version}, content_type="application/json")
    assert response.status_code == 409
    bad = client.patch(url, {"end_on": "2000-01-01", "version": version + 1}, content_type="application/json")
    assert bad.status_code == 400 and "end_on" in bad.json()


def test_plan_get_and_put(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    url = api("followup-plan", data.person)
    plan = client.get(url).json()
    assert plan["version"] == 2 and [v["number"] for v in plan["versions"]] == [2, 1]
    response = client.put(
        url, {"version": 1, "next_review_on": "2030-01-01"}, content_type="application/json"
    )
    assert response.status_code == 409
    response = client.put(
        url,
        {"version": 2, "next_review_on": "2030-01-01", "change_note": "API"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["version"] == 3
    assert IndividualPlan.objects.get(person=data.person).versions.count() == 3
    assert client.put(url, {"version": 3}, content_type="application/json").status_code == 400


def test_feedback_scores_create(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    url = api("followup-feedback-score-list", data.person)
    bad = client.post(
        url, {"instrument": "samtaletilbakemelding", "values": [1, 2]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "answers" in bad.json()
    response = client.post(
        url, {"instrument": "samtaletilbakemelding", "values": [9, 9, 9, 9]}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["score"] == 36 and not response.json()["off_track"]
    assert FeedbackScore.objects.filter(person=data.person).count() == 2
    assert (
        client.post(
            url, {"instrument": "finnes-ikke", "values": [1]}, content_type="application/json"
        ).status_code
        == 400
    )


def test_meetings_and_episode_update(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    meetings = client.get(api("followup-meeting-list", data.person)).json()["results"]
    assert meetings[0]["agenda"] == "Bolig"
    response = client.post(
        api("followup-meeting-list", data.person),
        {"starts_at": "2030-05-01T10:00:00+02:00", "place": "NAV"},
        content_type="application/json",
    )
    assert response.status_code == 201
    url = api("followup-episode-detail", data.person, pk=data.episode.pk)
    version = client.get(url).json()["version"]
    response = client.patch(url, {"phase": "venter_tsb", "version": version}, content_type="application/json")
    assert response.status_code == 200 and response.json()["phase"] == "venter_tsb"
    assert (
        client.patch(
            url, {"phase": "ukjent", "version": version + 1}, content_type="application/json"
        ).status_code
        == 400
    )


def test_openapi_schema_lists_followup(data) -> None:  # type: ignore[no-untyped-def]
    response = client_for("koordinator.evje").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/followup/persons/{person_id}/plan/" in response.content


def test_plan_diff(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    url = api("followup-plan-diff", data.person)
    body = client.get(url).json()
    assert body["from"] == 1 and body["to"] == 2
    assert {"field": "Behov", "old": "–", "new": "Bolig"} in body["fields"]
    measures = next(lst for lst in body["lists"] if lst["list"] == "Tiltak")
    assert measures["items"][0]["change"] == "added"
    assert client.get(url + "?from=7").status_code == 400
    assert client.get(url + "?to=x").status_code == 400


def test_fhir_export_is_a_valid_bundle(data) -> None:  # type: ignore[no-untyped-def]
    from fhir.resources.R4B.bundle import Bundle

    response = client_for("koordinator.evje").get(api("followup-fhir", data.person))
    assert response.status_code == 200
    bundle = Bundle.model_validate(response.json())
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry or []]  # type: ignore[union-attr]
    assert kinds[:2] == ["CarePlan", "CareTeam"] and "Goal" in kinds
    careplan = response.json()["entry"][0]["resource"]
    assert (
        careplan["status"] == "active"
        and careplan["activity"][0]["detail"]["description"] == "Søke kommunal bolig"
    )
    assert "national" not in response.content.decode().lower()
