"""Follow-up wired into people/audit: innsyn export, retention, service relations, plan version page."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mestring.audit.models import AccessLog, ChangeLog, RetentionRun
from mestring.core.testing.personas import client_for
from mestring.followup import services
from mestring.followup.models import (
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
    MappingArea,
    Measure,
    Meeting,
    PersonMapping,
    PhaseChange,
    PlanVersion,
    Referral,
    Reminder,
)
from mestring.followup.tests.fixtures import ALL_GREEN, build_followup
from mestring.mapping.areas import AREA_CODES, Phase, Rating
from mestring.people.models import Person, ServiceRelation
from mestring.people.retention import run_retention
from mestring.people.tests.fixtures import EVJE_UNIT, make_person

pytestmark = pytest.mark.django_db

VALLE_UNIT = "valle-psykisk-helse-rus"


def _enrich(world, person: Person) -> None:  # type: ignore[no-untyped-def]
    """Add what build_followup leaves out: a sub-goal with a rating, mapping notes, a held meeting with
    attendance, minutes and a decision, an external member's phone."""
    koordinator = world.user("koordinator.evje")
    main = Goal.objects.filter(person=person, parent__isnull=True).first()
    sub = services.goal_create(actor=koordinator, person=person, text="Betale husleia selv", parent=main)
    services.goal_rate(actor=koordinator, goal=sub, progress=2, confidence=4, satisfaction=3)
    ratings = dict(ALL_GREEN) | {AREA_CODES[0]: (Rating.RED.value, "Bor hos en venn på sofaen")}
    services.mapping_record(actor=koordinator, person=person, ratings=ratings, note="Kartlagt hjemme")
    services.care_team_add(
        actor=koordinator,
        person=person,
        name="Dr. Dag Fastlege",
        agency="gp",
        phone="41234567",
        consent_to_share=True,
    )
    meeting = Meeting.objects.filter(person=person).first()
    assert meeting is not None
    present = list(CareTeamMember.objects.filter(person=person).values_list("pk", flat=True))
    services.meeting_update(
        actor=koordinator,
        meeting=meeting,
        expected_version=meeting.version,
        starts_at=timezone.now() - timedelta(days=1),  # a held meeting has taken place
        status=Meeting.Status.HELD,
        place="Kontoret",
        agenda="Bolig og økonomi",
        minutes="Snakket om husleie og boligsøknad",
        present_member_ids=present,
    )
    services.decision_add(actor=koordinator, meeting=meeting, text="Søke bostøtte innen fredag")


# --- 1. Innsyn ------------------------------------------------------------------------------------------


def test_innsyn_json_contains_all_followup_data(world) -> None:  # type: ignore[no-untyped-def]
    data = build_followup(world)
    _enrich(world, data.person)
    client = client_for("koordinator.evje")
    response = client.get(reverse("audit:innsyn_json", kwargs={"pk": data.person.pk}))
    assert response.status_code == 200
    fu = json.loads(response.content)["oppfolging"]

    episode = fu["forlop"][0]
    assert episode["fase"] and episode["startdato"] == data.episode.started_on.isoformat()
    assert episode["enheter"] == ["Rus og psykisk helse Evje og Hornnes"]
    assert episode["koordinator"] == "Kari Fjellstad"
    assert [p["fase"] for p in episode["fasehistorikk"]] == [episode["fase"]]
    assert episode["henvisninger"][0]["instans"].startswith("TSB")
    assert episode["henvisninger"][0]["ventetid_dager"] == 30

    goal = next(g for g in fu["mal"] if g["mal"] == "Å ha en fast plass å bo")
    assert goal["delmal"][0]["mal"] == "Betale husleia selv"
    assert goal["delmal"][0]["vurderinger"][0] == {
        "dato": timezone.localdate().isoformat(),
        "fremgang": 2,
        "tro_pa_a_na_malet": 4,
        "fornoyd_med_innsatsen": 3,
        "registrert_av": "Kari Fjellstad",
    }

    noted = next(m for m in fu["kartlegginger"] if m["merknad"] == "Kartlagt hjemme")
    assert len(noted["omrader"]) == len(AREA_CODES)
    assert "Bor hos en venn på sofaen" in [a["merknad"] for a in noted["omrader"]]

    plan = fu["individuell_plan"]
    assert plan["personens_ressurser"] == "Glad i turer" and plan["personens_behov"] == "Bolig"
    assert [v["nummer"] for v in plan["versjoner"]] == [1, 2]
    assert plan["versjoner"][1]["hva_er_endret"] == "Bolig lagt til"
    content = plan["versjoner"][1]["innhold"]
    assert content["tiltak"][0]["tiltak"] == "Søke kommunal bolig"
    assert content["personens_behov"] == "Bolig" and content["status"] == "Gjeldende"
    assert (
        content["tiltak"][0]["status"] == "Planlagt"
        and content["tiltak"][0]["mal"] == "Å ha en fast plass å bo"
    )
    assert content["ansvarsgruppe"] and {"navn", "rolle", "instans"} <= set(content["ansvarsgruppe"][0])

    assert (
        fu["tiltak"][0]["tiltak"] == "Søke kommunal bolig" and fu["tiltak"][0]["ansvarlig"] == "Boligkontoret"
    )
    team = {m["navn"]: m for m in fu["ansvarsgruppe"]}
    assert team["Nora NAV"]["instans"] == "NAV" and not team["Nora NAV"]["ansatt_i_kommunen"]
    assert team["Dr. Dag Fastlege"]["telefon"] == "41234567"
    assert team["Kari Fjellstad"]["ansatt_i_kommunen"]

    meeting = fu["motter"][0]
    assert meeting["saksliste"] == "Bolig og økonomi"
    assert meeting["referat"] == "Snakket om husleie og boligsøknad"
    assert {a["deltaker"] for a in meeting["oppmote"] if a["til_stede"]} >= {"Nora NAV", "Kari Fjellstad"}
    assert meeting["beslutninger"][0]["beslutning"] == "Søke bostøtte innen fredag"

    assert fu["kriseplan"]["varselsignaler"] == "Sover dårlig"
    assert fu["kriseplan"]["hvem_jeg_kan_ringe"] == "Kari, 99999999"
    score = fu["tilbakemeldinger"][0]
    assert score["skar"] == 5 and len(score["svar"]) == 5 and score["svar"][0]["svar"] == 5
    assert score["skjema"] and "instrument" not in score
    assert score["svar"][0]["sporsmal"] and not score["svar"][0]["sporsmal"].isdigit()
    assert fu["fact_tavle"][0]["grunn"] == "Mistet bolig"
    assert fu["fact_tavle"][0]["enhet"] == "Rus og psykisk helse Evje og Hornnes"
    kinds = {r["hva"] for r in fu["paminnelser"]}
    assert len(kinds) == 2  # overdue plan review and overdue measure
    assert any(r["tiltak"] == "Søke kommunal bolig" for r in fu["paminnelser"])

    # dates are ISO strings, and the whole section survives a strict JSON round trip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*", meeting["tidspunkt"])
    assert json.loads(json.dumps(fu)) == fu


def test_innsyn_for_person_without_followup_is_empty_not_missing(world) -> None:  # type: ignore[no-untyped-def]
    person = make_person(world, first_name="Uten", last_name="Oppfølging")
    response = client_for("koordinator.evje").get(reverse("audit:innsyn_json", kwargs={"pk": person.pk}))
    fu = json.loads(response.content)["oppfolging"]
    assert fu["forlop"] == [] and fu["individuell_plan"] is None and fu["kriseplan"] is None


def test_innsyn_pdf_still_renders_with_followup_section(world) -> None:  # type: ignore[no-untyped-def]
    data = build_followup(world)
    _enrich(world, data.person)
    response = client_for("koordinator.evje").get(reverse("audit:innsyn_pdf", kwargs={"pk": data.person.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- 2. Retention ---------------------------------------------------------------------------------------

FOLLOWUP_MODELS = (
    Episode,
    PhaseChange,
    Referral,
    Goal,
    GoalRating,
    PersonMapping,
    MappingArea,
    IndividualPlan,
    PlanVersion,
    Measure,
    CareTeamMember,
    Meeting,
    Attendance,
    Decision,
    CrisisPlan,
    FeedbackScore,
    BoardEntry,
    Reminder,
)


def _rows_for(person_id: int) -> dict[str, int]:
    lookups = {
        PhaseChange: "episode__person_id",
        Referral: "episode__person_id",
        GoalRating: "goal__person_id",
        MappingArea: "mapping__person_id",
        PlanVersion: "plan__person_id",
        Attendance: "meeting__person_id",
        Decision: "meeting__person_id",
    }
    counts = {}
    for model in FOLLOWUP_MODELS:
        key = lookups.get(model, "person_id")
        counts[model.__name__] = model._default_manager.filter(**{key: person_id}).count()
    return counts


def _end_long_ago(person: Person, days: int = 40) -> None:
    Person.objects.filter(pk=person.pk).update(
        status=Person.Status.ENDED, ended_at=timezone.now() - timedelta(days=days)
    )


@pytest.mark.parametrize("mode", ["anonymise", "delete"])
def test_retention_removes_all_followup_data(world, settings, mode) -> None:  # type: ignore[no-untyped-def]
    settings.MESTRING_RETENTION = {"person_days": 30, "mode": mode, "access_log_days": 3650}
    data = build_followup(world)
    _enrich(world, data.person)
    pk = data.person.pk
    before = _rows_for(pk)
    assert all(before.values()), before  # the fixture has at least one row of every kind
    bystander = make_person(world, first_name="Aktiv", last_name="Oppfølging")
    services.goal_create(actor=world.user("koordinator.evje"), person=bystander, text="Beholde jobben")
    _end_long_ago(data.person)

    out = StringIO()
    call_command("run_retention", stdout=out)

    report = RetentionRun.objects.filter(dry_run=False).latest("ran_at").report
    assert report["person_ids"] == [pk] and report["skipped"] == []
    assert not any(_rows_for(pk).values()), _rows_for(pk)
    # nothing identifying is left anywhere in follow-up, e.g. external members' names and phones
    assert not CareTeamMember.objects.filter(name__in=["Nora NAV", "Dr. Dag Fastlege"]).exists()
    assert not CareTeamMember.objects.filter(phone="41234567").exists()
    assert not Meeting.objects.filter(minutes__contains="husleie").exists()
    assert not CrisisPlan.objects.filter(contacts__contains="99999999").exists()
    assert not ChangeLog.objects.filter(person_id=pk).exists()
    if mode == "delete":
        assert not Person.objects.filter(pk=pk).exists() and report["persons_deleted"] == 1
    else:
        assert Person.objects.get(pk=pk).status == Person.Status.ANONYMISED
        assert report["persons_anonymised"] == 1
    # someone else's follow-up is untouched
    assert Goal.objects.filter(person=bystander, text="Beholde jobben").exists()


def test_retention_delete_is_not_blocked_by_followup(world, settings) -> None:  # type: ignore[no-untyped-def]
    """Straight through the service: every follow-up row kind exists, and the delete goes through."""
    settings.MESTRING_RETENTION = {"person_days": 30, "mode": "delete", "access_log_days": 3650}
    data = build_followup(world)
    _enrich(world, data.person)
    _end_long_ago(data.person)
    report = run_retention()
    assert report["persons_deleted"] == 1 and report["skipped"] == []


# --- 3. Removing a serving unit ends its service relation ----------------------------------------------


def _valle_episode(world, *, started_days_ago: int = 10) -> tuple[Person, Episode]:  # type: ignore[no-untyped-def]
    person = make_person(world, first_name="Tjeneste", last_name="Flytter")
    koordinator = world.user("koordinator.evje")
    episode = services.episode_start(
        actor=koordinator,
        person=person,
        phase=Phase.EARLY,
        started_on=timezone.localdate() - timedelta(days=started_days_ago),
        units=[world.org(EVJE_UNIT), world.org(VALLE_UNIT)],
    )
    return person, episode


def test_removing_unit_from_episode_ends_service_relation(world) -> None:  # type: ignore[no-untyped-def]
    person, episode = _valle_episode(world)
    valle = world.org(VALLE_UNIT)
    page = reverse("followup:person", kwargs={"person_id": person.pk})
    assert client_for("leder.valle").get(page).status_code == 200  # Valle serves the person: access

    response = client_for("koordinator.evje").post(
        reverse("followup:episode_edit", kwargs={"person_id": person.pk, "episode_id": episode.pk}),
        {
            "phase": episode.phase,
            "started_on": episode.started_on.isoformat(),
            "ended_on": "",
            "units": [world.org(EVJE_UNIT).pk],
            "note": "",
            "version": episode.version,
        },
    )
    assert response.status_code == 302
    assert list(Episode.objects.get(pk=episode.pk).units.all()) == [world.org(EVJE_UNIT)]
    assert not ServiceRelation.objects.active().filter(person=person, unit=valle).exists()
    assert ServiceRelation.objects.active().filter(person=person, unit=world.org(EVJE_UNIT)).exists()
    assert ChangeLog.objects.filter(person=person, object_type="servicerelation", action="ended").count() == 1

    before = AccessLog.objects.filter(person=person).count()
    assert client_for("leder.valle").get(page).status_code == 404  # Valle's staff lose access
    assert AccessLog.objects.filter(person=person).count() == before
    assert client_for("ansatt.evje").get(page).status_code == 200  # Evje still serves


def test_unit_still_serving_another_open_episode_keeps_relation(world) -> None:  # type: ignore[no-untyped-def]
    """Editing an ended episode that lists Valle must not cut Valle off while the open episode has it."""
    koordinator = world.user("koordinator.evje")
    valle = world.org(VALLE_UNIT)
    person, old = _valle_episode(world, started_days_ago=100)
    services.episode_update(
        actor=koordinator,
        episode=old,
        expected_version=old.version,
        phase=old.phase,
        started_on=old.started_on,
        ended_on=timezone.localdate() - timedelta(days=50),
        units=[world.org(EVJE_UNIT), valle],
    )
    services.episode_start(
        actor=koordinator,
        person=person,
        phase=Phase.EARLY,
        started_on=timezone.localdate() - timedelta(days=40),
        units=[valle],
    )
    old.refresh_from_db()
    services.episode_update(
        actor=koordinator,
        episode=old,
        expected_version=old.version,
        phase=old.phase,
        started_on=old.started_on,
        ended_on=old.ended_on,
        units=[world.org(EVJE_UNIT)],
    )
    assert ServiceRelation.objects.active().filter(person=person, unit=valle).exists()
    page = reverse("followup:person", kwargs={"person_id": person.pk})
    assert client_for("leder.valle").get(page).status_code == 200


# --- 4. Plan version page -------------------------------------------------------------------------------


def test_plan_version_page_in_site_layout_without_inline_style(world) -> None:  # type: ignore[no-untyped-def]
    data = build_followup(world)
    client = client_for("koordinator.evje")
    before = AccessLog.objects.filter(person=data.person).count()
    response = client.get(reverse("followup:plan_version", kwargs={"person_id": data.person.pk, "number": 1}))
    assert response.status_code == 200
    body = response.content.decode()
    assert not re.search(r"<style[\s>]", body, re.IGNORECASE)
    assert " style=" not in body
    assert "site-header" in body and "followup/followup.css" in body  # the normal layout and static CSS
    assert "Glad i turer" in body  # version 1's text
    assert "Bolig lagt til" not in body  # version 2's change note is not version 1
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    rows = AccessLog.objects.filter(person=data.person)
    assert rows.count() == before + 1 and rows.first().what == "oppfølging: planversjon"  # type: ignore[union-attr]

    v2 = client.get(reverse("followup:plan_version", kwargs={"person_id": data.person.pk, "number": 2}))
    assert "Søke kommunal bolig" in v2.content.decode() and "Bolig lagt til" in v2.content.decode()


def test_plan_version_unknown_number_is_404(world) -> None:  # type: ignore[no-untyped-def]
    data = build_followup(world)
    response = client_for("koordinator.evje").get(
        reverse("followup:plan_version", kwargs={"person_id": data.person.pk, "number": 99})
    )
    assert response.status_code == 404


def test_plan_pdf_still_renders(world) -> None:  # type: ignore[no-untyped-def]
    data = build_followup(world)
    response = client_for("koordinator.evje").get(
        reverse("followup:plan_pdf", kwargs={"person_id": data.person.pk})
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
