"""National survey: municipalities without a contact address are invited (they count as invited, not
answered) but get no e-mail and no reminders until an address is entered, which sends the first invitation.
E-mail goes through the real local SMTP server (`smtp_server`)."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mestring.core.testing.personas import client_for
from mestring.organisations.models import Organisation
from mestring.surveys import services
from mestring.surveys.models import Invitation, NationalSurvey
from mestring.surveys.tests.conftest import MISSING, hand_address

pytestmark = pytest.mark.django_db

PAGE_LABEL = "Mangler adresse – ikke sendt"


def _recipients(messages: list[Any]) -> list[str]:
    return [m["X-Envelope-To"] for m in messages]


def _send_first_round(survey: NationalSurvey, smtp_server: Any) -> None:
    assert services.send_invitations(survey_id=survey.pk) == 18
    assert len(smtp_server.wait_for(18)) == 18
    smtp_server.messages.clear()


# ---------------------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------------------


def test_no_mail_for_municipalities_without_address(gap_survey: NationalSurvey, smtp_server: Any) -> None:
    assert services.send_invitations(survey_id=gap_survey.pk) == 18
    messages = smtp_server.wait_for(19, timeout=1.0)  # a 19th would be a mail to nowhere
    assert len(messages) == 18
    recipients = _recipients(messages)
    assert all(r.endswith(".example") for r in recipients)
    assert not any(".invalid" in r for r in recipients)
    for knr in MISSING:
        invitation = gap_survey.invitations.get(kommunenummer=knr)
        assert invitation.sent_at is None and invitation.last_contact_at is None
        assert invitation.state == "no_address"
    # Nothing is pending: sending again sends nothing.
    assert services.send_invitations(survey_id=gap_survey.pk) == 0


def test_entering_an_address_sends_exactly_one_invitation(
    gap_survey: NationalSurvey, smtp_server: Any
) -> None:
    _send_first_round(gap_survey, smtp_server)
    invitation = gap_survey.invitations.get(kommunenummer="9019")
    assert not services.first_send_due(invitation)
    services.invitation_email_set(invitation=invitation, email="  rus@testkommune-19.example ")
    assert invitation.email == "rus@testkommune-19.example"
    assert services.first_send_due(invitation)
    assert services.send_invitations(survey_id=gap_survey.pk) == 1
    messages = smtp_server.wait_for(2, timeout=1.0)
    assert _recipients(messages) == ["rus@testkommune-19.example"]
    assert messages[0]["Subject"].startswith("Spørreundersøkelse")  # the first invitation, not a reminder
    body = messages[0].get_body(preferencelist=("plain",)).get_content()
    assert f"/undersokelser/svar/{invitation.token}/" in body
    invitation.refresh_from_db()
    assert invitation.state == "sent" and invitation.reminders_sent == 0
    # The other one still has no address and still gets nothing.
    assert gap_survey.invitations.get(kommunenummer="9020").state == "no_address"


def test_bad_address_is_refused(gap_survey: NationalSurvey) -> None:
    invitation = gap_survey.invitations.get(kommunenummer="9019")
    with pytest.raises(ValidationError) as info:
        services.invitation_email_set(invitation=invitation, email="ikke en adresse")
    assert info.value.message_dict == {"email": ["Skriv en gyldig e-postadresse."]}
    assert Invitation.objects.get(pk=invitation.pk).email == ""


def test_reminders_skip_municipalities_without_address(gap_survey: NationalSurvey, smtp_server: Any) -> None:
    _send_first_round(gap_survey, smtp_server)
    later = timezone.now() + timedelta(days=gap_survey.reminder_interval_days, minutes=1)
    assert services.send_reminders(survey_id=gap_survey.pk, now=later) == 18
    assert services.send_reminders(survey_id=gap_survey.pk, force=True) == 18
    messages = smtp_server.wait_for(37, timeout=1.0)
    assert len(messages) == 36
    assert not {hand_address(knr) for knr in MISSING} & set(_recipients(messages))
    assert set(
        gap_survey.invitations.filter(kommunenummer__in=MISSING).values_list("reminders_sent", flat=True)
    ) == {0}
    # Once it has an address (and its invitation), a municipality is reminded like the others.
    invitation = gap_survey.invitations.get(kommunenummer="9019")
    services.invitation_email_set(invitation=invitation, email="rus@testkommune-19.example")
    assert services.send_invitations(survey_id=gap_survey.pk) == 1
    much_later = timezone.now() + timedelta(days=60)
    due = {i.kommunenummer for i in services.reminders_due(gap_survey, much_later)}
    assert "9019" in due and "9020" not in due


def test_address_registered_on_the_municipality_is_used_when_sending(
    gap_survey: NationalSurvey, smtp_server: Any
) -> None:
    Organisation.objects.filter(kind="municipality", kommunenummer="9019").update(
        contact_email="ny@testkommune-19.example"
    )
    assert services.send_invitations(survey_id=gap_survey.pk) == 19
    assert "ny@testkommune-19.example" in _recipients(smtp_server.wait_for(19))
    assert gap_survey.invitations.get(kommunenummer="9020").state == "no_address"


def test_no_address_counts_as_invited_not_answered(gap_survey: NationalSurvey) -> None:
    from mestring.surveys import analysis

    services.response_save(
        invitation=gap_survey.invitations.get(kommunenummer="9001"), data={"q1": "1"}, final=True
    )
    table = analysis.representativeness(gap_survey, "fylke")
    assert table.rows[-1][:2] == ["Sum", "20"]  # all 20 are in the population (the 1 is suppressed)
    api = client_for("forsker.nasjonal").get(reverse("survey-national-status", args=[gap_survey.slug])).json()
    assert api["total"] == 20 and api["responded"] == 1 and api["missing_address"] == 2
    assert api["state_counts"]["no_address"] == 2 and api["states"][PAGE_LABEL] == 2


def test_addresses_for_several_municipalities_all_or_nothing(gap_survey: NationalSurvey) -> None:
    bad = "\n".join(
        [
            "kommunenummer;e-post",
            "9019;rus@testkommune-19.example",
            "",
            "9020 ikke-en-adresse",
            "9999;rus@ukjent.example",
            "9019;igjen@testkommune-19.example",
            "abc;rus@x.example",
            "9001",
        ]
    )
    with pytest.raises(ValidationError) as info:
        services.invitation_emails_set(survey=gap_survey, text=bad)
    assert info.value.message_dict["lines"] == [
        "Linje 4: «ikke-en-adresse» er ikke en gyldig e-postadresse.",
        "Linje 5: kommune 9999 er ikke med i undersøkelsen (kommunerammen for 2099).",
        "Linje 6: kommune 9019 står også på linje 2.",
        "Linje 7: «abc» er ikke et kommunenummer (fire sifre).",
        "Linje 8: skriv kommunenummer og e-postadresse skilt med semikolon, for eksempel "
        "«4219;postmottak@kommune.no».",
    ]
    assert gap_survey.invitations.filter(email="").count() == 2  # nothing written
    with pytest.raises(ValidationError) as info:
        services.invitation_emails_set(survey=gap_survey, text="kommunenummer;e-post\n\n")
    assert "minst én linje" in info.value.message_dict["lines"][0]
    updated = services.invitation_emails_set(
        survey=gap_survey, text="\ufeff9019;rus@testkommune-19.example\r\n9020,\trus@testkommune-20.example\n"
    )
    assert [i.kommunenummer for i in updated] == ["9019", "9020"]
    assert not gap_survey.invitations.filter(email="").exists()


def test_migration_turns_placeholders_into_no_address(hand_survey: NationalSurvey) -> None:
    migration = importlib.import_module("mestring.surveys.migrations.0003_invitation_no_address")
    now = timezone.now()
    Invitation.objects.filter(survey=hand_survey, kommunenummer="9001").update(
        email="postmottak@kommune-9001.invalid", sent_at=now, last_contact_at=now, reminders_sent=2
    )
    Invitation.objects.filter(survey=hand_survey, kommunenummer="9002").update(
        email="postmottak@kommune-9002.invalid", sent_at=now, opened_at=now
    )
    Invitation.objects.filter(survey=hand_survey, kommunenummer="9003").update(sent_at=now)
    migration.placeholders_to_no_address(apps, None)
    first = hand_survey.invitations.get(kommunenummer="9001")
    assert (first.email, first.sent_at, first.last_contact_at, first.reminders_sent) == ("", None, None, 0)
    assert first.state == "no_address"
    second = hand_survey.invitations.get(kommunenummer="9002")
    assert second.email == "" and second.state == "opened"  # progress through a forwarded link is kept
    third = hand_survey.invitations.get(kommunenummer="9003")
    assert third.email == hand_address("9003") and third.state == "sent"


# ---------------------------------------------------------------------------------------------------------
# Pages and API
# ---------------------------------------------------------------------------------------------------------


def test_status_list_shows_missing_address_and_filters(gap_survey: NationalSurvey) -> None:
    client = client_for("forsker.nasjonal")
    url = reverse("surveys:national_detail", args=[gap_survey.slug])
    page = client.get(url).content.decode()
    assert "2 kommuner mangler kontaktadresse" in page
    assert f"{PAGE_LABEL}: <strong>2</strong>" in page.replace("</a>", "")
    assert "?status=no_address" in page
    assert reverse("surveys:invitation_addresses", args=[gap_survey.slug]) in page
    assert "Testkommune 3<" in page and page.count(f"<strong>{PAGE_LABEL}</strong>") == 2
    filtered = client.get(url + "?status=no_address").content.decode()
    assert "Testkommune 19" in filtered and "Testkommune 20" in filtered
    assert "Testkommune 3<" not in filtered and "Vis alle kommuner" in filtered
    assert "Legg inn adresse" in filtered
    # The polled fragment keeps the filter.
    fragment = client.get(
        reverse("surveys:national_status", args=[gap_survey.slug]) + "?status=no_address",
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "status/?status=no_address" in fragment and "Testkommune 3<" not in fragment
    # An unknown filter shows everyone.
    assert "Testkommune 3<" in client.get(url + "?status=tull").content.decode()


def test_no_note_when_every_municipality_has_an_address(hand_survey: NationalSurvey) -> None:
    page = client_for("forsker.nasjonal").get(reverse("surveys:national_detail", args=[hand_survey.slug]))
    assert "mangler kontaktadresse" not in page.content.decode()


def test_entering_an_address_on_the_page_sends_the_invitation_at_once(
    gap_survey: NationalSurvey, immediate_tasks: Any, smtp_server: Any
) -> None:
    _send_first_round(gap_survey, smtp_server)
    client = client_for("forsker.nasjonal")
    url = reverse("surveys:invitation_edit", args=[gap_survey.slug, "9019"])
    page = client.get(url).content.decode()
    assert "Mangler adresse – ikke sendt." in page and "Lagre og send invitasjonen<" in page
    assert "på nytt" not in page
    response = client.post(url, {"email": "ikke en adresse"})
    assert response.status_code == 200 and "Skriv en gyldig e-postadresse." in response.content.decode()
    assert gap_survey.invitations.get(kommunenummer="9019").email == ""
    response = client.post(url, {"email": "rus@testkommune-19.example"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("?status=no_address#svarstatus")
    assert "invitasjonen sendes nå" in response.content.decode()
    messages = smtp_server.wait_for(2, timeout=1.0)
    assert _recipients(messages) == ["rus@testkommune-19.example"]
    assert messages[0]["Subject"].startswith("Spørreundersøkelse")
    assert gap_survey.invitations.get(kommunenummer="9019").state == "sent"


def test_address_in_a_draft_survey_waits_for_the_send_out(
    gap_survey: NationalSurvey, immediate_tasks: Any, smtp_server: Any
) -> None:
    NationalSurvey.objects.filter(pk=gap_survey.pk).update(status=NationalSurvey.Status.DRAFT)
    client = client_for("forsker.nasjonal")
    url = reverse("surveys:invitation_edit", args=[gap_survey.slug, "9019"])
    response = client.post(url, {"email": "rus@testkommune-19.example"}, follow=True)
    assert "sendes når du sender ut undersøkelsen" in response.content.decode()
    assert smtp_server.wait_for(1, timeout=0.5) == []
    response = client.post(reverse("surveys:national_send", args=[gap_survey.slug]), follow=True)
    assert "1 kommune mangler kontaktadresse og får ingen e-post" in response.content.decode()
    messages = smtp_server.wait_for(20, timeout=2.0)
    assert len(messages) == 19 and "rus@testkommune-19.example" in _recipients(messages)


def test_addresses_page_lists_missing_and_reports_every_bad_line(
    gap_survey: NationalSurvey, immediate_tasks: Any, smtp_server: Any
) -> None:
    _send_first_round(gap_survey, smtp_server)
    client = client_for("forsker.nasjonal")
    url = reverse("surveys:invitation_addresses", args=[gap_survey.slug])
    page = client.get(url).content.decode()
    assert "2 kommuner mangler adresse" in page and "Testkommune 19" in page and "Testkommune 3<" not in page
    response = client.post(url, {"lines": ""})
    assert response.status_code == 200
    assert "Skriv minst én linje med kommunenummer og e-postadresse." in response.content.decode()
    response = client.post(url, {"lines": "9019;rus@testkommune-19.example\n9020;feil"})
    text = response.content.decode()
    assert response.status_code == 200 and "Linje 2: «feil» er ikke en gyldig e-postadresse." in text
    assert gap_survey.invitations.filter(email="").count() == 2
    assert smtp_server.wait_for(1, timeout=0.5) == []
    response = client.post(
        url, {"lines": "9019;rus@testkommune-19.example\n9020;rus@testkommune-20.example\n9001;ny@k1.example"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?status=no_address#svarstatus")
    messages = smtp_server.wait_for(3, timeout=1.0)
    # Two first invitations; 9001 already had its invitation, so it only gets a new address.
    assert sorted(_recipients(messages)) == ["rus@testkommune-19.example", "rus@testkommune-20.example"]
    assert gap_survey.invitations.get(kommunenummer="9001").email == "ny@k1.example"
    page = client.get(response["Location"]).content.decode()
    assert "3 adresser er lagret. 2 invitasjoner sendes nå." in page
    assert "Ingen kommuner har denne statusen nå." in page


def test_api_status_filter(gap_survey: NationalSurvey) -> None:
    client = client_for("forsker.nasjonal")
    url = reverse("survey-national-status", args=[gap_survey.slug])
    data = client.get(url + "?state=no_address").json()
    assert [(m["kommunenummer"], m["state"], m["has_address"]) for m in data["municipalities"]] == [
        ("9019", "no_address", False),
        ("9020", "no_address", False),
    ]
    assert data["total"] == 20  # the filter narrows the list, not the counts
    response = client.get(url + "?state=tull")
    assert response.status_code == 400 and "state" in response.json()
