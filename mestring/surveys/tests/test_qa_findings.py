"""QA findings on the national survey: n of grid tables, overlapping rows, p < 0,001, the crosstab form,
the truthful reminder button, closing with a confirmation and reopening, no-address bookkeeping."""

from __future__ import annotations

import io
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from mestring.core.testing.personas import client_for
from mestring.stats.suppression import HIDDEN_SYMBOL, HiddenReason
from mestring.surveys import analysis, engine, services
from mestring.surveys.models import Invitation, NationalSurvey

pytestmark = pytest.mark.django_db


def _answer(survey: NationalSurvey, kommunenummer: str, data: dict[str, Any]) -> None:
    invitation = survey.invitations.get(kommunenummer=kommunenummer)
    _response, errors = services.response_save(invitation=invitation, data=data, final=True)
    assert errors == {}, errors


def _tables(survey: NationalSurvey, only: str) -> list[analysis.Published]:
    form = engine.load_form(survey.version)
    return analysis.frequency_tables(form, [d for _k, d in analysis.submitted_data(survey)], only=only)


# -- 6: n of grid tables, overlapping rows ------------------------------------------------------------------


def _matrix_answers(survey: NationalSurvey) -> None:
    """15 municipalities answer the matrix: 12 both lines (x: 7 «Lite», 5 «Mye»; y: all «Mye»), 3 only x."""
    for n in range(1, 13):
        _answer(survey, f"90{n:02d}", {"q1": "1", "tilbud": {"x": "1" if n <= 7 else "2", "y": "2"}})
    for n in range(13, 16):
        _answer(survey, f"90{n:02d}", {"q1": "1", "tilbud": {"x": "1"}})


def test_grid_n_is_the_respondents_and_each_line_has_its_own_n(hand_survey: NationalSurvey) -> None:
    _matrix_answers(hand_survey)
    (table,) = _tables(hand_survey, "tilbud")
    assert table.n == 15  # not 15 + 12 = 27, the sum over the lines
    assert table.caption == "Tilbudet er … (n = 15)"
    assert table.header == ["Linje", "Lite (%)", "Mye (%)", "n"]
    assert table.rows == [["X", "66,7", "33,3", "15"], ["Y", "0,0", "100,0", "12"]]
    assert table.table is not None and table.table.rows_overlap


def test_collaboration_grid_n_per_dimension(hand_survey: NationalSurvey) -> None:
    for n in range(1, 12):
        partners = {"nav": {"need": "3", "actual": "2"}}
        if n <= 10:
            partners["tsb"] = {"need": "1"}
        _answer(hand_survey, f"90{n:02d}", {"q1": "1", "samarbeid": partners})
    need, actual, _quality = _tables(hand_survey, "samarbeid")
    assert need.n == 11 and [row[-1] for row in need.rows] == ["11", "10"]
    assert actual.n == 11 and [row[-1] for row in actual.rows] == ["11", "0"]


def test_grid_line_with_few_answers_is_hidden_whole_others_shown(hand_survey: NationalSurvey) -> None:
    for n in range(1, 13):
        tilbud = {"x": "1" if n <= 6 else "2"}
        if n <= 4:
            tilbud["y"] = "2"
        _answer(hand_survey, f"90{n:02d}", {"q1": "1", "tilbud": tilbud})
    (table,) = _tables(hand_survey, "tilbud")
    assert table.n == 12
    assert table.rows[0] == ["X", "50,0", "50,0", "12"]
    assert table.rows[1] == ["Y", HIDDEN_SYMBOL, HIDDEN_SYMBOL, HIDDEN_SYMBOL]
    assert any("færre enn 10" in note for note in table.notes)


def test_multiple_choice_protects_each_option_on_its_own(hand_survey: NationalSurvey) -> None:
    # 20 answer; A chosen by 3 (hidden, and its «not chosen» 17 with it), B by 10, C by 7. Down the «chosen»
    # column nothing adds up (a municipality is in every row), so no second option has to be hidden (the
    # table of disjoint rows used before hid C as well).
    for n in range(1, 21):
        choice = ["b"] if n <= 10 else ["c"] if n <= 17 else ["a"]
        _answer(hand_survey, f"90{n:02d}", {"q1": "1", "verktoy": choice})
    (table,) = _tables(hand_survey, "verktoy")
    assert table.n == 20
    assert table.rows == [
        ["A", HIDDEN_SYMBOL, HIDDEN_SYMBOL],
        ["B", "10", "50,0"],
        ["C", "7", "35,0"],
        ["Svarte på spørsmålet", "20", ""],
    ]
    assert table.table is not None
    reasons = {table.table.figure(p).reason for p in table.table.hidden_positions}
    assert reasons == {HiddenReason.PRIMARY, HiddenReason.SECONDARY}
    assert {p[0] for p in table.table.hidden_positions} == {0}  # row A only


def test_multiple_choice_with_few_respondents_shows_nothing(hand_survey: NationalSurvey) -> None:
    for n in range(1, 7):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1", "verktoy": ["a"]})
    (table,) = _tables(hand_survey, "verktoy")
    assert table.n is None
    assert all(cell in (HIDDEN_SYMBOL, "") for row in table.rows for cell in row[1:])


def test_page_and_exports_show_the_same_n(hand_survey: NationalSurvey) -> None:
    _matrix_answers(hand_survey)
    client = client_for("forsker.nasjonal")
    page = client.get(reverse("surveys:national_analysis", args=[hand_survey.slug])).content.decode()
    assert "Tilbudet er … (n = 15)" in page
    csv_text = client.get(
        reverse("surveys:national_tables_export", args=[hand_survey.slug, "csv"])
    ).content.decode("utf-8-sig")
    assert "Tilbudet er … (n = 15)" in csv_text
    assert "X,66,7,33,3,15" in csv_text.replace('"', "")
    workbook = load_workbook(
        io.BytesIO(
            client.get(reverse("surveys:national_tables_export", args=[hand_survey.slug, "xlsx"])).content
        )
    )
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row if cell]
    assert "Tilbudet er … (n = 15)" in values
    api = client.get(reverse("survey-national-tables", args=[hand_survey.slug])).json()
    grid = next(t for t in api["frequencies"] if t["title"] == "Tilbudet er …")
    assert grid["n"] == 15 and grid["rows"][1] == ["Y", "0,0", "100,0", "12"]


# -- 17: crosstab -----------------------------------------------------------------------------------------


def test_p_value_below_a_thousandth_reads_p_less_than() -> None:
    assert analysis.fmt_p(0.0000004) == "p < 0,001"
    assert analysis.fmt_p(0.001) == "p = 0,001"
    assert analysis.fmt_p(0.0234) == "p = 0,023"


def test_crosstab_page_shows_p_less_than(hand_survey: NationalSurvey) -> None:
    for n in range(1, 21):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1" if n <= 10 else "2"})
    client = client_for("forsker.nasjonal")
    page = client.get(
        reverse("surveys:national_crosstab", args=[hand_survey.slug]) + "?sporsmal=q1&etter=fylke"
    ).content.decode()
    assert "Kjikvadrattest" in page and "p &lt; 0,001" in page and "p = 0,000" not in page


def test_crosstab_of_a_question_with_itself_is_a_form_error(hand_survey: NationalSurvey) -> None:
    client = client_for("forsker.nasjonal")
    response = client.get(
        reverse("surveys:national_crosstab", args=[hand_survey.slug]) + "?sporsmal=q1&mot=q1"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Et spørsmål kan ikke krysses med seg selv." in page
    assert "Kjikvadrattest" not in page and "<table" not in page
    with pytest.raises(ValueError):
        analysis.survey_crosstab(hand_survey, question="q1", by_question="q1")


def test_crosstab_with_both_a_question_and_a_grouping_is_a_form_error(hand_survey: NationalSurvey) -> None:
    client = client_for("forsker.nasjonal")
    response = client.get(
        reverse("surveys:national_crosstab", args=[hand_survey.slug]) + "?sporsmal=q1&mot=q2&etter=fylke"
    )
    assert response.status_code == 400
    assert "ikke begge" in response.content.decode()
    assert "<table" not in response.content.decode()
    with pytest.raises(ValueError):
        analysis.survey_crosstab(hand_survey, question="q1", by_question="q2", by_group_set="fylke")
    ok = client.get(reverse("surveys:national_crosstab", args=[hand_survey.slug]) + "?sporsmal=q1&mot=q2")
    assert ok.status_code == 200
    unbound = client.get(reverse("surveys:national_crosstab", args=[hand_survey.slug]))
    assert unbound.status_code == 200 and "Rett opp" not in unbound.content.decode()


# -- 7: the reminder button tells the truth ------------------------------------------------------------------


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_reminder_button_says_how_many_and_why_not_the_others(
    gap_survey: NationalSurvey, immediate_tasks: Any
) -> None:
    services.send_invitations(survey_id=gap_survey.pk)  # 18 with an address get the first e-mail
    for n in range(1, 6):
        _answer(gap_survey, f"90{n:02d}", {"q1": "1"})
    gap_survey.invitations.filter(kommunenummer__in=["9006", "9007"]).update(reminders_sent=2)
    plan = services.reminder_plan(survey=gap_survey)
    assert (plan.due, plan.responded, plan.max_reached, plan.no_address, plan.not_sent) == (11, 5, 2, 2, 0)
    mail.outbox.clear()
    client = client_for("forsker.nasjonal")
    response = client.post(reverse("surveys:national_remind", args=[gap_survey.slug]), follow=True)
    (text,) = _messages(response)
    assert text.startswith("11 påminnelser sendes nå i bakgrunnen")
    assert "5 kommuner har svart" in text
    assert "2 kommuner har allerede fått høyst antall påminnelser (2)" in text
    assert "2 kommuner mangler kontaktadresse" in text
    assert len(mail.outbox) == 11
    assert gap_survey.invitations.filter(reminders_sent=1).count() == 11


def test_reminder_button_says_why_none_are_sent(hand_survey: NationalSurvey, immediate_tasks: Any) -> None:
    services.send_invitations(survey_id=hand_survey.pk)
    for n in range(1, 21):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1"})
    mail.outbox.clear()
    client = client_for("forsker.nasjonal")
    response = client.post(reverse("surveys:national_remind", args=[hand_survey.slug]), follow=True)
    assert _messages(response) == ["Ingen påminnelser sendes: 20 kommuner har svart."]
    assert mail.outbox == []


def test_reminder_button_with_nothing_sent_yet(gap_survey: NationalSurvey) -> None:
    # Open, but the first invitations have not gone out (no worker yet): nobody can be reminded.
    client = client_for("forsker.nasjonal")
    response = client.post(reverse("surveys:national_remind", args=[gap_survey.slug]), follow=True)
    (text,) = _messages(response)
    assert text == (
        "Ingen påminnelser sendes: 2 kommuner mangler kontaktadresse; "
        "18 kommuner har ikke fått invitasjonen ennå."
    )


# -- 7: invitations without an address -----------------------------------------------------------------------


def test_migration_clears_send_bookkeeping_of_invitations_without_address(gap_survey: NationalSurvey) -> None:
    # A database filled while the no-address change was half done: empty addresses marked as sent.
    sent = timezone.now() - timedelta(days=20)
    gap_survey.invitations.filter(kommunenummer="9019").update(
        sent_at=sent, last_contact_at=sent, reminders_sent=1
    )
    gap_survey.invitations.filter(kommunenummer="9020").update(sent_at=sent, last_contact_at=sent)
    _answer(gap_survey, "9020", {"q1": "1"})
    gap_survey.invitations.filter(kommunenummer="9001").update(sent_at=sent, last_contact_at=sent)
    migration = import_module("mestring.surveys.migrations.0004_no_address_bookkeeping_min_answers")
    migration.clear_unsent_bookkeeping(apps, None)
    lacking = gap_survey.invitations.get(kommunenummer="9019")
    assert lacking.state == "no_address" and lacking.reminders_sent == 0 and lacking.sent_at is None
    assert gap_survey.invitations.get(kommunenummer="9020").state == "completed"
    assert gap_survey.invitations.get(kommunenummer="9001").sent_at == sent  # has an address: untouched
    client = client_for("forsker.nasjonal")
    page = client.get(reverse("surveys:national_detail", args=[gap_survey.slug])).content.decode()
    assert "Mangler adresse – ikke sendt</a>: <strong>1</strong>" in page
    # The municipality that answered needs no address: no «Legg inn adresse» on its row.
    assert page.count("Legg inn adresse<span") == 1
    assert "Ingen adresse (har svart)" in page


# -- 11: closing with a confirmation, reopening --------------------------------------------------------------


def test_close_asks_first_and_says_what_happens(hand_survey: NationalSurvey) -> None:
    _answer(hand_survey, "9001", {"q1": "1"})
    services.response_save(invitation=hand_survey.invitations.get(kommunenummer="9002"), data={}, final=False)
    services.invitation_opened(invitation=hand_survey.invitations.get(kommunenummer="9003"))
    client = client_for("forsker.nasjonal")
    url = reverse("surveys:national_close", args=[hand_survey.slug])
    detail = client.get(reverse("surveys:national_detail", args=[hand_survey.slug])).content.decode()
    assert f'href="{url}"' in detail  # a link to the confirmation, not a one-click form
    page = client.get(url).content.decode()
    assert "Avslutte undersøkelsen?" in page
    assert "1 kommune har begynt å svare uten å sende inn" in page
    assert "1 kommune har åpnet lenken uten å begynne" in page
    assert "I alt 19 kommuner har ikke svart" in page
    assert "slutter å virke" in page
    hand_survey.refresh_from_db()
    assert hand_survey.status == NationalSurvey.Status.OPEN  # GET changed nothing
    response = client.post(url)
    assert response.status_code == 302
    hand_survey.refresh_from_db()
    assert hand_survey.status == NationalSurvey.Status.CLOSED and hand_survey.closed_at is not None


def test_reopen_makes_the_links_work_again(hand_survey: NationalSurvey) -> None:
    invitation = hand_survey.invitations.get(kommunenummer="9002")
    services.response_save(invitation=invitation, data={"q1": "2"}, final=False)
    client = client_for("forsker.nasjonal")
    client.post(reverse("surveys:national_close", args=[hand_survey.slug]))
    respond = reverse("surveys:respond", args=[invitation.token])
    assert client.get(respond).status_code == 410
    detail = client.get(reverse("surveys:national_detail", args=[hand_survey.slug])).content.decode()
    assert reverse("surveys:national_reopen", args=[hand_survey.slug]) in detail
    assert client.get(reverse("surveys:national_reopen", args=[hand_survey.slug])).status_code == 405
    response = client.post(reverse("surveys:national_reopen", args=[hand_survey.slug]), follow=True)
    assert "Undersøkelsen er åpnet igjen" in _messages(response)[0]
    hand_survey.refresh_from_db()
    assert hand_survey.status == NationalSurvey.Status.OPEN and hand_survey.closed_at is None
    assert client.get(respond).status_code == 200
    _response, errors = services.response_save(invitation=invitation, data={"q1": "2"}, final=True)
    assert errors == {}
    assert Invitation.objects.get(pk=invitation.pk).state == "completed"


def test_only_an_open_survey_closes_and_only_a_closed_one_reopens(hand_survey: NationalSurvey) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.national_survey_reopen(survey=hand_survey)
    services.national_survey_close(survey=hand_survey)
    with pytest.raises(ValidationError):
        services.national_survey_close(survey=hand_survey)
    client = client_for("forsker.nasjonal")
    response = client.get(reverse("surveys:national_close", args=[hand_survey.slug]))
    assert response.status_code == 302  # nothing to confirm
