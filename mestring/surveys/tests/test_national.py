"""National survey: population from the frame, e-mail through a real local SMTP server, reminders, tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.immediate import ImmediateBackend

from mestring.core.testing.personas import client_for
from mestring.organisations.models import MunicipalityFrame, Organisation
from mestring.surveys import services, tasks
from mestring.surveys.models import Invitation, NationalSurvey, Response
from mestring.surveys.tests.conftest import HAND_YEAR, hand_address

pytestmark = pytest.mark.django_db


def test_population_is_the_frame_with_contact_or_no_address(gap_survey: NationalSurvey) -> None:
    assert gap_survey.invitations.count() == MunicipalityFrame.objects.filter(year=HAND_YEAR).count() == 20
    assert gap_survey.invitations.get(kommunenummer="9002").email == hand_address("9002")
    # No contact address: an invitation without an address (never a placeholder), nothing sent.
    missing = gap_survey.invitations.get(kommunenummer="9019")
    assert missing.email == "" and missing.state == "no_address" and not missing.has_address
    assert not gap_survey.invitations.filter(email__endswith=".invalid").exists()
    tokens = set(gap_survey.invitations.values_list("token", flat=True))
    assert len(tokens) == 20 and all(len(t) >= 32 for t in tokens)


def test_contact_email_used_when_set(world: Any, small_version: Any) -> None:
    from mestring.organisations.services import frame_import
    from mestring.surveys.tests.conftest import hand_frame_csv

    frame_import(year=HAND_YEAR, text=hand_frame_csv())
    Organisation.objects.filter(kind="municipality", kommunenummer="9001").update(
        contact_email="rus@k1.example"
    )
    survey = services.national_survey_create(
        owner=world.org("nasjonalt-kompetansemiljo"), title="E", version=small_version, frame_year=HAND_YEAR
    )
    assert survey.invitations.get(kommunenummer="9001").email == "rus@k1.example"


def test_create_refuses_bad_input(world: Any, small_version: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.national_survey_create(
            owner=world.org("nasjonalt-kompetansemiljo"), title="", version=small_version, frame_year=1999
        )
    assert {"title", "frame_year"} <= set(info.value.message_dict)
    assert not NationalSurvey.objects.filter(frame_year=1999).exists()


def test_immediate_backend_override_takes_effect(immediate_tasks: Any) -> None:
    """django_tasks caches backends; its setting_changed receiver resets them, so the override is real."""
    assert isinstance(tasks.send_invitations_task.get_backend(), ImmediateBackend)


def test_invitations_sent_as_task_over_smtp(
    hand_survey: NationalSurvey, immediate_tasks: Any, smtp_server: Any
) -> None:
    result = tasks.send_invitations_task.enqueue(hand_survey.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 20
    messages = smtp_server.wait_for(20)
    assert len(messages) == 20
    by_recipient = {m["X-Envelope-To"]: m for m in messages}
    invitation = hand_survey.invitations.get(kommunenummer="9003")
    message = by_recipient[invitation.email]
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"http://testserver/undersokelser/svar/{invitation.token}/" in body
    assert "Testkommune 3" in body
    assert hand_survey.invitations.filter(sent_at__isnull=True).count() == 0
    # Sending again sends nothing new.
    assert tasks.send_invitations_task.enqueue(hand_survey.pk).return_value == 0


def test_reminders_only_to_non_responders_when_due(hand_survey: NationalSurvey, smtp_server: Any) -> None:
    services.send_invitations(survey_id=hand_survey.pk)
    smtp_server.wait_for(20)
    smtp_server.messages.clear()
    answered = hand_survey.invitations.get(kommunenummer="9001")
    services.response_save(invitation=answered, data={"q1": "1"}, final=True)
    # Nothing is due right after sending.
    assert services.send_reminders(survey_id=hand_survey.pk) == 0
    later = timezone.now() + timedelta(days=hand_survey.reminder_interval_days, minutes=1)
    assert services.send_reminders(survey_id=hand_survey.pk, now=later) == 19
    messages = smtp_server.wait_for(19)
    assert len(messages) == 19
    assert answered.email not in {m["X-Envelope-To"] for m in messages}
    assert all(m["Subject"].startswith("Påminnelse") for m in messages)
    # Not again until the interval has passed again, and never more than max_reminders.
    assert services.send_reminders(survey_id=hand_survey.pk, now=later) == 0
    much_later = later + timedelta(days=30)
    assert services.send_reminders(survey_id=hand_survey.pk, now=much_later) == 19
    assert services.send_reminders(survey_id=hand_survey.pk, now=much_later + timedelta(days=30)) == 0
    assert set(hand_survey.invitations.exclude(pk=answered.pk).values_list("reminders_sent", flat=True)) == {
        2
    }


def test_reminder_task_forced(hand_survey: NationalSurvey, immediate_tasks: Any, smtp_server: Any) -> None:
    services.send_invitations(survey_id=hand_survey.pk)
    smtp_server.wait_for(20)
    smtp_server.messages.clear()
    result = tasks.send_reminders_task.enqueue(hand_survey.pk, True)
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 20
    assert len(smtp_server.wait_for(20)) == 20


def test_reminders_are_scheduled_with_a_deferring_backend(hand_survey: NationalSurvey, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert tasks.schedule_reminders(hand_survey.pk)
    backend = tasks.send_reminders_task.get_backend()
    queued = backend.results  # type: ignore[attr-defined]
    assert len(queued) == 1
    assert queued[0].task.run_after > timezone.now() + timedelta(days=hand_survey.reminder_interval_days - 1)


def _post(client: Client, token: str, data: dict[str, Any], action: str) -> Any:
    return client.post(reverse("surveys:respond", args=[token]), {**data, "action": action})


def test_token_answers_only_for_its_municipality(hand_survey: NationalSurvey) -> None:
    a = hand_survey.invitations.get(kommunenummer="9001")
    b = hand_survey.invitations.get(kommunenummer="9002")
    client = Client()
    response = _post(client, a.token, {"q-q1": "1", "kommunenummer": "9002", "invitation": b.pk}, "submit")
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.completed_at is not None and b.completed_at is None
    assert not Response.objects.filter(invitation=b).exists()
    assert Response.objects.get(invitation=a).data == {"q1": "1"}


def test_guessed_and_closed_links_get_a_clear_message(hand_survey: NationalSurvey) -> None:
    client = Client()
    response = client.get(reverse("surveys:respond", args=["ikke-en-ekte-lenke"]))
    assert response.status_code == 404
    assert "Vi finner ikke denne undersøkelsen" in response.content.decode()
    invitation = hand_survey.invitations.first()
    assert invitation is not None
    services.national_survey_close(survey=hand_survey)
    response = client.get(reverse("surveys:respond", args=[invitation.token]))
    assert response.status_code == 410
    assert "Undersøkelsen er stengt" in response.content.decode()
    response = _post(client, invitation.token, {"q-q1": "1"}, "submit")
    assert response.status_code == 410
    assert not Response.objects.filter(invitation=invitation).exists()


def test_partial_save_resume_and_final_submit(hand_survey: NationalSurvey) -> None:
    invitation = hand_survey.invitations.get(kommunenummer="9005")
    client = Client()
    assert client.get(reverse("surveys:respond", args=[invitation.token])).status_code == 200
    invitation.refresh_from_db()
    assert invitation.state == "opened"
    response = _post(client, invitation.token, {"q-q2": "3", "q-antall": "4"}, "save")
    assert response.status_code == 200
    assert "Svarene er lagret" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == "started"
    # Resume: the saved answers are on the page again.
    page = client.get(reverse("surveys:respond", args=[invitation.token])).content.decode()
    assert 'value="4"' in page
    # Final submit without the required question: 400, nothing submitted.
    response = _post(client, invitation.token, {"q-q2": "3"}, "submit")
    assert response.status_code == 400
    assert "Dette spørsmålet må besvares." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.completed_at is None
    assert Response.objects.get(invitation=invitation).submitted_at is None
    response = _post(client, invitation.token, {"q-q1": "1", "q-q2": "3"}, "submit")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "completed"
    # The link cannot change a submitted answer.
    _post(client, invitation.token, {"q-q1": "2"}, "submit")
    assert Response.objects.get(invitation=invitation).data["q1"] == "1"


def test_bad_number_on_draft_is_reported_and_rest_saved(hand_survey: NationalSurvey) -> None:
    invitation = hand_survey.invitations.get(kommunenummer="9006")
    response = _post(Client(), invitation.token, {"q-q1": "1", "q-antall": "mange"}, "save")
    assert response.status_code == 200
    assert "Skriv et tall" in response.content.decode()
    assert Response.objects.get(invitation=invitation).data == {"q1": "1"}


def test_joint_answer_for_a_cooperation(world: Any, small_version: Any) -> None:
    survey = services.national_survey_create(
        owner=world.org("nasjonalt-kompetansemiljo"), title="Felles", version=small_version, frame_year=2026
    )
    services.national_survey_open(survey=survey)
    evje = survey.invitations.get(kommunenummer="4219")
    candidates = {i.kommunenummer for i in services.cover_candidates(evje)}
    assert candidates == {"4220", "4221", "4222"}  # the other Setesdal members
    client = Client()
    page = client.get(reverse("surveys:respond", args=[evje.token])).content.decode()
    assert "Gjelder svaret også andre kommuner" in page
    response = client.post(
        reverse("surveys:respond", args=[evje.token]),
        {"q-q1": "1", "covers": ["4221", "4222"], "action": "submit"},
    )
    assert response.status_code == 302
    valle = survey.invitations.get(kommunenummer="4221")
    assert valle.covered_by == evje and valle.state == "completed" and valle.responded
    assert survey.invitations.get(kommunenummer="4220").covered_by is None
    # Valle's own link now says it is covered.
    assert "felles svar" in client.get(reverse("surveys:respond", args=[valle.token])).content.decode()


def test_cover_outside_cooperation_is_refused(world: Any, small_version: Any) -> None:
    survey = services.national_survey_create(
        owner=world.org("nasjonalt-kompetansemiljo"), title="Felles", version=small_version, frame_year=2026
    )
    services.national_survey_open(survey=survey)
    evje = survey.invitations.get(kommunenummer="4219")
    response, errors = services.response_save(invitation=evje, data={"q1": "1"}, final=True, covers=["0301"])
    assert response is None and "__covers__" in errors
    assert survey.invitations.get(kommunenummer="0301").covered_by is None
    assert not Response.objects.filter(invitation=evje).exists()


def test_status_page_and_htmx_fragment(world: Any, hand_survey: NationalSurvey) -> None:
    hand_survey.owner = world.org("nasjonalt-kompetansemiljo")
    client = client_for("forsker.nasjonal")
    services.response_save(
        invitation=hand_survey.invitations.get(kommunenummer="9001"), data={"q1": "1"}, final=True
    )
    page = client.get(reverse("surveys:national_detail", args=[hand_survey.slug])).content.decode()
    assert "5,0 %" in page and 'hx-trigger="every 10s"' in page
    fragment = client.get(reverse("surveys:national_status", args=[hand_survey.slug]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text and "1 av 20 kommuner" in text and "Testkommune 1" in text


def test_send_from_page_runs_task(
    world: Any, hand_survey: NationalSurvey, immediate_tasks: Any, smtp_server: Any
) -> None:
    NationalSurvey.objects.filter(pk=hand_survey.pk).update(status=NationalSurvey.Status.DRAFT)
    client = client_for("forsker.nasjonal")
    response = client.post(reverse("surveys:national_send", args=[hand_survey.slug]))
    assert response.status_code == 302
    assert len(smtp_server.wait_for(20)) == 20
    assert Invitation.objects.filter(survey=hand_survey, sent_at__isnull=False).count() == 20


def test_reminder_command(hand_survey: NationalSurvey, smtp_server: Any) -> None:
    import io

    from django.core.management import call_command

    services.send_invitations(survey_id=hand_survey.pk)
    smtp_server.wait_for(20)
    out = io.StringIO()
    call_command("survey_send_reminders", stdout=out)
    assert f"{hand_survey.slug}: 0 påminnelse(r) sendt." in out.getvalue()
    Invitation.objects.filter(survey=hand_survey).update(last_contact_at=timezone.now() - timedelta(days=8))
    out = io.StringIO()
    call_command("survey_send_reminders", stdout=out)
    assert f"{hand_survey.slug}: 20 påminnelse(r) sendt." in out.getvalue()
    assert len(smtp_server.wait_for(40)) == 40


def test_correct_contact_address_and_resend(
    world: Any, hand_survey: NationalSurvey, immediate_tasks: Any, smtp_server: Any
) -> None:
    services.send_invitations(survey_id=hand_survey.pk)
    smtp_server.wait_for(20)
    smtp_server.messages.clear()
    client = client_for("forsker.nasjonal")
    url = reverse("surveys:invitation_edit", args=[hand_survey.slug, "9004"])
    response = client.post(url, {"email": "ikke en adresse"})
    assert response.status_code == 200 and "gyldig e-postadresse" in response.content.decode()
    response = client.post(url, {"email": "rus@testkommune4.example", "resend": "1"})
    assert response.status_code == 302
    messages = smtp_server.wait_for(1)
    assert [m["X-Envelope-To"] for m in messages] == ["rus@testkommune4.example"]
    assert messages[0]["Subject"].startswith("Spørreundersøkelse")
