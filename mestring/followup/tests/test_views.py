"""Pages: access log (one row per read), forms with Norwegian errors, optimistic locking, PDF, diff, lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mestring.audit.models import AccessLog
from mestring.core.testing.personas import client_for
from mestring.followup import services
from mestring.followup.models import (
    BoardEntry,
    CrisisPlan,
    Episode,
    FeedbackScore,
    Goal,
    IndividualPlan,
    Instrument,
    Measure,
    PersonMapping,
)
from mestring.followup.pdf import plan_html
from mestring.followup.tests.fixtures import build_followup, followup_person
from mestring.mapping.areas import AREA_CODES
from mestring.people.tests.fixtures import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):  # type: ignore[no-untyped-def]
    return build_followup(world)


def url(name: str, person, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"followup:{name}", kwargs={"person_id": person.pk, **kwargs})


def test_person_page_logs_exactly_one_read(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    before = AccessLog.objects.filter(person=data.person).count()
    response = client.get(url("person", data.person))
    assert response.status_code == 200
    rows = AccessLog.objects.filter(person=data.person)
    assert rows.count() == before + 1
    assert rows.first().what == "oppfølging: oversikt"  # type: ignore[union-attr]
    body = response.content.decode()
    assert "Kriseplan" in body and reverse("followup:crisis_plan", args=[data.person.pk]) in body
    assert "Barn som pårørende" in body  # checklist item from the person record routine


def test_overview_shows_current_measures_and_ended_ones_on_request(data) -> None:  # type: ignore[no-untyped-def]
    person = data.person
    today = timezone.localdate()
    Measure.objects.filter(person=person).delete()
    for title, status, start in [
        ("Planlagt kurs", Measure.Status.PLANNED, today + timedelta(days=10)),
        ("Fullført botrening", Measure.Status.DONE, today - timedelta(days=400)),
        ("Pågående samtaler", Measure.Status.ACTIVE, today - timedelta(days=30)),
        ("Avbrutt arbeidstrening", Measure.Status.STOPPED, today - timedelta(days=200)),
    ]:
        Measure.objects.create(
            person=person, title=title, responsible="Koordinator", status=status, start_on=start
        )
    client = client_for("koordinator.evje")

    body = client.get(url("person", person)).content.decode()
    assert body.index("Pågående samtaler") < body.index("Planlagt kurs")  # ongoing first, then planned
    assert "Fullført botrening" not in body and "Avbrutt arbeidstrening" not in body
    assert "Vis også 2 avsluttede tiltak" in body

    body = client.get(url("person", person) + "?tiltak=alle").content.decode()
    assert (
        body.index("Planlagt kurs") < body.index("Avbrutt arbeidstrening") < body.index("Fullført botrening")
    )
    assert "Vis bare pågående og planlagte tiltak" in body

    Measure.objects.filter(person=person, status__in=Measure.OPEN).delete()
    body = client.get(url("person", person)).content.decode()
    assert "Ingen pågående eller planlagte tiltak." in body and "Vis også 2 avsluttede tiltak" in body


def test_other_municipality_gets_404_and_no_log(data) -> None:  # type: ignore[no-untyped-def]
    before = AccessLog.objects.count()
    assert client_for("ansatt.bykle").get(url("person", data.person)).status_code == 404
    assert client_for("analytiker.setesdal").get(url("person", data.person)).status_code == 403
    assert AccessLog.objects.count() == before


def test_goal_form_errors_in_norwegian(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    response = client.post(url("goals", data.person), {"text": "   "})
    assert response.status_code == 200
    assert (
        "Dette feltet er påkrevd." in response.content.decode()
        or "Feltet må fylles ut." in response.content.decode()
    )
    response = client.post(url("goals", data.person), {"text": "Gå på fotballkamp med sønnen min"})
    assert response.status_code == 302
    assert Goal.objects.filter(person=data.person, text="Gå på fotballkamp med sønnen min").exists()


def test_mapping_form(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    response = client.post(
        url("mapping_create", data.person), {"assessed_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert "Velg grønn, gul eller rød." in response.content.decode()
    before = PersonMapping.objects.filter(person=data.person).count()
    payload = dict.fromkeys(AREA_CODES, "gul") | {"bolig": "rod", "bolig_note": "Sofa hos venn"}
    payload["assessed_on"] = timezone.localdate().isoformat()
    assert client.post(url("mapping_create", data.person), payload).status_code == 302
    assert PersonMapping.objects.filter(person=data.person).count() == before + 1
    history = client.get(url("mapping", data.person)).content.decode()
    assert "Sofa hos venn" in history and "Verre" in history  # green → red for housing


def test_plan_edit_stale_version_shows_message(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    plan = IndividualPlan.objects.get(person=data.person)
    form = {"version": plan.version - 1, "next_review_on": "2030-01-01", "person_participated": "on"}
    response = client.post(url("plan_edit", data.person), form)
    assert response.status_code == 200
    assert "Noen andre har lagret endringer" in response.content.decode()
    form["version"] = plan.version
    assert client.post(url("plan_edit", data.person), form).status_code == 302
    plan.refresh_from_db()
    assert str(plan.next_review_on) == "2030-01-01"


def test_plan_page_shows_diff_and_pdf(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    page = client.get(url("plan", data.person)).content.decode()
    assert "Hva er endret fra versjon 1 til 2" in page and "Søke kommunal bolig" in page
    diff = client.get(url("plan_diff", data.person) + "?fra=1&til=2").content.decode()
    assert "Behov" in diff and "Bolig" in diff
    assert client.get(url("plan_diff", data.person) + "?fra=1&til=99").status_code == 404
    assert client.get(url("plan_diff", data.person) + "?fra=x").status_code == 404
    response = client.get(url("plan_pdf", data.person))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_plan_pdf_text_in_plain_norwegian(data) -> None:  # type: ignore[no-untyped-def]
    """The HTML that WeasyPrint renders, and the PDF it makes (pages > 0)."""
    from weasyprint import HTML

    plan = IndividualPlan.objects.get(person=data.person)
    version = plan.versions.first()
    assert version is not None
    html = plan_html(person=data.person, plan=plan, version=version)
    for text in (
        "Din individuelle plan",
        "Dette er viktig for deg",
        "Å ha en fast plass å bo",
        "Dette skal gjøres",
        "Søke kommunal bolig",
        "Boligkontoret",
        "Koordinatoren din er",
        "Kari Fjellstad",
        "Dine rettigheter",
        "Versjon 2",
    ):
        assert text in html, text
    document = HTML(string=html).render()
    assert len(document.pages) >= 1
    assert document.write_pdf().startswith(b"%PDF")


def test_meeting_decision_creates_measure(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    response = client.post(
        url("decision_add", data.person, meeting_id=data.meeting.pk),
        {
            "beslutning-text": "Starte aktivitetsgruppe",
            "beslutning-action": "create",
            "beslutning-title": "Aktivitetsgruppe",
            "beslutning-responsible": "Frisklivssentralen",
        },
    )
    assert response.status_code == 302
    assert Measure.objects.filter(person=data.person, title="Aktivitetsgruppe").exists()
    response = client.post(
        url("decision_add", data.person, meeting_id=data.meeting.pk),
        {"beslutning-text": "X", "beslutning-action": "change"},
    )
    assert response.status_code == 200 and "Velg tiltaket som endres." in response.content.decode()


def test_meeting_minutes_and_attendance(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    meeting = data.meeting
    planned = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")  # a week ahead
    response = client.post(
        url("meeting", data.person, meeting_id=meeting.pk),
        {"starts_at": planned, "status": "held", "minutes": "Bra møte", "version": meeting.version},
    )
    assert "Et møte som er avholdt, kan ikke ha et tidspunkt fram i tid." in response.content.decode()
    start = timezone.localtime(timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("meeting", data.person, meeting_id=meeting.pk),
        {"starts_at": start, "status": "held", "minutes": "", "version": meeting.version},
    )
    assert "Skriv et kort referat" in response.content.decode()
    response = client.post(
        url("meeting", data.person, meeting_id=meeting.pk),
        {
            "starts_at": start,
            "status": "held",
            "minutes": "Bra møte",
            "version": meeting.version,
            "present": [str(data.member.pk)],
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Bra møte" and meeting.attendance.get(member=data.member).present


def test_crisis_plan_one_click_and_edit(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("ruskonsulent.setesdal")
    page = client.get(url("crisis_plan", data.person)).content.decode()
    assert "Sover dårlig" in page and "Kari, 99999999" in page
    crisis = CrisisPlan.objects.get(person=data.person)
    response = client.post(
        url("crisis_plan_edit", data.person),
        {
            "version": crisis.version,
            "warning_signs": "Trekker meg unna",
            "what_helps": "Ringe søster",
            "contacts": "Søster",
        },
    )
    assert response.status_code == 302


def test_feedback_answer_flags_and_prompts(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    page = url("feedback_answer", data.person, slug="samtaletilbakemelding")
    response = client.post(page, {"answered_on": timezone.localdate().isoformat()})
    assert "Svar på dette spørsmålet." in response.content.decode()
    instrument = Instrument.objects.get(slug="samtaletilbakemelding")
    answers = {f"item_{item.pk}": "5" for item in instrument.items.all()}
    response = client.post(page, {**answers, "answered_on": timezone.localdate().isoformat()}, follow=True)
    body = response.content.decode()
    assert "ikke i rute" in body.lower()
    assert "Ta opp tilbakemeldingen i neste samtale" in body
    assert "<svg" in body and "<table" in body
    assert FeedbackScore.objects.filter(person=data.person, instrument=instrument, off_track=True).exists()


def test_caseload_flags_and_logs_each_person(data, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    before = AccessLog.objects.filter(person=data.person, what="saksliste").count()
    body = client.get(reverse("followup:caseload")).content.decode()
    assert data.person.full_name in body
    assert "Evaluering forfalt" in body and "Oppgaver som har forfalt" in body
    assert AccessLog.objects.filter(person=data.person, what="saksliste").count() == before + 1
    assert (
        data.person.full_name
        not in client_for("ansatt.bykle").get(reverse("followup:caseload")).content.decode()
    )


def test_caseload_log_rows_match_a_single_read(data, world) -> None:  # type: ignore[no-untyped-def]
    """The caseload's one-statement insert writes the same row a single read would, once per person."""
    from mestring.accounts.models import Membership
    from mestring.audit.services import log_access
    from mestring.people.models import Person

    client = client_for("koordinator.evje")
    started = timezone.now()
    client.get(reverse("followup:caseload"))
    rows = list(AccessLog.objects.filter(what="saksliste", at__gte=started))
    shown = {row.person_id for row in rows}
    assert data.person.pk in shown and len(shown) == len(rows)
    assert rows[0].organisation_id is not None
    membership = Membership.objects.select_related("user", "organisation").get(
        user=world.user("koordinator.evje"), organisation_id=rows[0].organisation_id, role=rows[0].role
    )
    single = log_access(
        user=membership.user,
        membership=membership,
        person=Person.objects.get(pk=data.person.pk),
        what="saksliste",
        purpose="tjenstlig behov",
    )
    fields = ["user_id", "username", "user_display", "organisation_id", "organisation_name", "role"]
    for row in rows:
        assert [getattr(row, f) for f in fields] == [getattr(single, f) for f in fields]
        assert (row.what, row.purpose, row.break_glass) == ("saksliste", "tjenstlig behov", False)
        assert started <= row.at <= single.at
    assert len({row.at for row in rows}) == 1


def test_caseload_query_count_does_not_grow_with_persons(data, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    client.get(reverse("followup:caseload"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("followup:caseload"))
    for i in range(5):
        person = make_person(world, first_name=f"Ekstra{i}", last_name="Person")
        koordinator = world.user("koordinator.evje")
        services.episode_start(
            actor=koordinator, person=person, phase="tidlig_innsats", coordinator=koordinator
        )
        services.measure_create(
            actor=koordinator,
            person=person,
            title="T",
            responsible="R",
            start_on=timezone.localdate() - timedelta(10),
            end_on=timezone.localdate() - timedelta(1),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("followup:caseload"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_board_fragment_and_remove_with_htmx(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    page = client.get(reverse("followup:board")).content.decode()
    assert "Mistet bolig" in page and 'hx-trigger="every 15s"' in page
    fragment = client.get(reverse("followup:board_fragment"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    response = client.post(reverse("followup:board_remove", args=[data.entry.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Mistet bolig" not in response.content.decode()
    assert BoardEntry.objects.get(pk=data.entry.pk).removed_at is not None
    # Bykle's staff cannot touch Evje's board.
    assert (
        client_for("ansatt.bykle").get(reverse("followup:board") + f"?enhet={data.entry.unit_id}").status_code
        == 404
    )


def test_board_add_and_flag_suggestion(data, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    person = followup_person(world, first_name="Tavle", last_name="Kandidat")

    koordinator = data.episode.coordinator
    outcome = Instrument.objects.get(slug="livskvalitet-kort")
    services.feedback_record(
        actor=koordinator,
        person=person,
        instrument=outcome,
        values=[6] * 5,
        answered_on=timezone.localdate() - timedelta(days=14),
    )
    services.feedback_record(actor=koordinator, person=person, instrument=outcome, values=[3] * 5)
    page = client.get(reverse("followup:board")).content.decode()
    assert "Bør vurderes" in page and "Tavle Kandidat" in page and "Ikke i rute" in page
    response = client.post(
        reverse("followup:board_add") + f"?enhet={data.entry.unit_id}",
        {"person": person.pk, "reason": "Faller ut av behandling", "enhet": data.entry.unit_id},
    )
    assert response.status_code == 302
    assert BoardEntry.objects.filter(person=person, removed_at__isnull=True).exists()


def test_episode_and_referral_forms(world) -> None:  # type: ignore[no-untyped-def]
    person = followup_person(world, first_name="Forløp", last_name="Skjema")
    client = client_for("koordinator.evje")
    assert client.get(url("coordinator", person)).status_code == 302  # no episode yet → start one
    unit = world.org("evje-rus-psykisk-helse")
    response = client.post(
        url("episode_create", person),
        {
            "phase": "venter_tsb",
            "started_on": timezone.localdate().isoformat(),
            "units": [unit.pk],
            "coordinator": world.user("ruskonsulent.setesdal").pk,
        },
    )
    assert response.status_code == 302
    episode = Episode.objects.get(person=person)
    assert episode.coordinator is not None and episode.coordinator.username == "ruskonsulent.setesdal"
    response = client.post(
        url("referral_create", person),
        {
            "direction": "out",
            "agency": "tsb",
            "status": "started",
            "referred_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200 and "Fyll inn oppstartsdato" in response.content.decode()


def test_reminder_done(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    response = client.post(
        url("reminder_done", data.person, reminder_id=data.reminder.pk), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/oppfolging/")
    data.reminder.refresh_from_db()
    assert data.reminder.done_at is not None


def test_instrument_create_by_leader(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("leder.valle")
    response = client.post(
        reverse("followup:instrument_create"),
        {
            "name": "Hvordan var gruppa?",
            "slug": "gruppe",
            "purpose": "session",
            "items": "Nyttig\nTrygg",
            "scale_min": 1,
            "scale_max": 1,
            "scoring": "mean",
            "expected_gain_per_session": 0,
            "expected_gain_max": 0,
            "band_width": 0,
            "alert_below": 0,
        },
    )
    assert "Høyeste verdi må være større enn laveste." in response.content.decode()


def test_board_polling_does_not_flood_the_access_log(data) -> None:  # type: ignore[no-untyped-def]
    client = client_for("koordinator.evje")
    client.get(reverse("followup:board"))
    before = AccessLog.objects.filter(person=data.person, what="FACT-tavle").count()
    for _ in range(3):
        assert client.get(reverse("followup:board_fragment"), HTTP_HX_REQUEST="true").status_code == 200
    assert AccessLog.objects.filter(person=data.person, what="FACT-tavle").count() == before
    client.get(reverse("followup:board"))  # opening the page logs again
    assert AccessLog.objects.filter(person=data.person, what="FACT-tavle").count() == before + 1


def test_caseload_pages(data, world) -> None:  # type: ignore[no-untyped-def]
    from mestring.accounts.models import Membership
    from mestring.followup import selectors

    membership = Membership.objects.get(user__username="koordinator.evje")
    first = selectors.caseload(membership, per_page=1)
    assert first.total >= 1 and len(first.persons) == 1 and first.pages == first.total
    last = selectors.caseload(membership, per_page=1, page=999)
    assert last.number == last.pages
    response = client_for("koordinator.evje").get(reverse("followup:caseload") + "?side=abc")
    assert response.status_code == 200


def test_meeting_page_shows_what_changed_since_last_meeting(data) -> None:  # type: ignore[no-untyped-def]
    koordinator = data.episode.coordinator
    earlier = services.meeting_create(
        actor=koordinator, person=data.person, starts_at=timezone.now() - timedelta(days=10)
    )
    services.goal_create(actor=koordinator, person=data.person, text="Nytt mål etter forrige møte")
    body = client_for("koordinator.evje").get(url("meeting", data.person, meeting_id=data.meeting.pk)).content
    assert "Endret siden forrige møte" in body.decode() and "Mål: 2 nye" in body.decode()
    assert earlier.pk != data.meeting.pk


def test_svg_coordinates_are_not_localised(data) -> None:  # type: ignore[no-untyped-def]
    """Norwegian number formatting must not reach SVG attributes (cx="12,5" is not a number)."""
    import re

    body = client_for("koordinator.evje").get(url("feedback", data.person)).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert not re.search(r'(?:cx|cy|x|y|x1|x2|y1|y2)="[0-9-]+,[0-9]', svg)
    assert re.search(r'cy="[0-9]+\.[0-9]"', svg)


def test_cooperation_coordinator_caseload_spans_member_municipalities(world) -> None:  # type: ignore[no-untyped-def]
    koordinator = world.user("koordinator.evje")
    ruskonsulent = world.user("ruskonsulent.setesdal")
    evje = followup_person(world, first_name="Evje", last_name="Samarbeid")
    bykle = make_person(
        world, first_name="Bykle", last_name="Samarbeid", unit_slug="bykle-helse-rus", team=("ansatt.bykle",)
    )
    services.episode_start(actor=koordinator, person=evje, phase="tidlig_innsats", coordinator=ruskonsulent)
    services.episode_start(
        actor=world.user("ansatt.bykle"), person=bykle, phase="tidlig_innsats", coordinator=ruskonsulent
    )
    body = client_for("ruskonsulent.setesdal").get(reverse("followup:caseload")).content.decode()
    assert "Evje Samarbeid" in body and "Bykle Samarbeid" in body
    evje_body = (
        client_for("koordinator.evje").get(reverse("followup:caseload") + "?vis=alle").content.decode()
    )
    assert "Evje Samarbeid" in evje_body and "Bykle Samarbeid" not in evje_body
