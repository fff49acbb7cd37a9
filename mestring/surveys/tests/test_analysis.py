"""Tables against hand-computed fixtures, χ² against scipy, suppression applied everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from scipy.stats import chi2_contingency

from mestring.stats.suppression import HIDDEN_SYMBOL, SuppressionPolicy
from mestring.surveys import analysis, engine, services
from mestring.surveys.models import NationalSurvey

pytestmark = pytest.mark.django_db
NO_SUPPRESSION = SuppressionPolicy(k=1, min_group_size=0)


def _answer(survey: NationalSurvey, kommunenummer: str, data: dict[str, Any]) -> None:
    invitation = survey.invitations.get(kommunenummer=kommunenummer)
    _response, errors = services.response_save(invitation=invitation, data=data, final=True)
    assert errors == {}, errors


def test_representativeness_hand_computed(hand_survey: NationalSurvey) -> None:
    # Fylke A (9001–9010): 5 of 10 answer. Fylke B (9011–9020): all 10 answer.
    for n in [1, 2, 3, 4, 5, *range(11, 21)]:
        _answer(hand_survey, f"90{n:02d}", {"q1": "1"})
    expected = {
        "fylke": [
            ["Fylke A", "10", "5", "50,0"],
            ["Fylke B", "10", "10", "100,0"],
            ["Sum", "20", "15", "75,0"],
        ],
        "helseregion": [
            ["Sør-Øst", "10", "5", "50,0"],
            ["Vest", "10", "10", "100,0"],
            ["Sum", "20", "15", "75,0"],
        ],
        "kostragruppe": [
            ["KG 1", "10", "5", "50,0"],
            ["KG 2", "10", "10", "100,0"],
            ["Sum", "20", "15", "75,0"],
        ],
        "befolkningsklasse": [
            ["Under 2 000", "10", "5", "50,0"],
            ["20 000–50 000", "10", "10", "100,0"],
            ["Sum", "20", "15", "75,0"],
        ],
    }
    for slug, rows in expected.items():
        table = analysis.representativeness(hand_survey, slug)
        assert table.rows == rows, slug
        assert table.header[1:] == ["Totalt", "Svarte", "Svarprosent"]


def test_representativeness_counts_municipalities_unsuppressed(hand_survey: NationalSurvey) -> None:
    # QA 18: 3 of 10 municipalities in fylke A answered. Municipalities are not persons and the frame is
    # public, so the counts and the response rates are shown (lead's decision), with a note saying so.
    for n in [1, 2, 3, *range(11, 21)]:
        _answer(hand_survey, f"90{n:02d}", {"q1": "1"})
    table = analysis.representativeness(hand_survey, "fylke")
    assert table.rows == [
        ["Fylke A", "10", "3", "30,0"],
        ["Fylke B", "10", "10", "100,0"],
        ["Sum", "20", "13", "65,0"],
    ]
    assert table.n == 20 and table.caption.endswith("(n = 20)")
    assert table.table is not None and not table.table.hidden_positions
    assert len(table.notes) == 1
    assert "kommuner" in table.notes[0] and "personer" not in table.notes[0].replace("ikke er personer", "")
    assert "skjult" not in table.notes[0].replace("ikke skjult", "")


def test_representativeness_small_frame_groups_are_shown(world: Any, small_version: Any) -> None:
    # The real frame: population classes with a handful of municipalities, one of them answering.
    survey = services.national_survey_create(
        owner=world.org("nasjonalt-kompetansemiljo"), title="R", version=small_version, frame_year=2026
    )
    services.national_survey_open(survey=survey)
    _answer(survey, "4219", {"q1": "1"})
    for slug in analysis.REPRESENTATIVENESS_SETS:
        table = analysis.representativeness(survey, slug)
        assert not any(HIDDEN_SYMBOL in cell for row in table.rows for cell in row), slug
        assert table.rows[-1][1:3] == [str(survey.invitations.count()), "1"], slug


def test_answer_distributions_stay_suppressed(hand_survey: NationalSurvey) -> None:
    # Only the counts of municipalities are unsuppressed: the answers are not.
    for n in range(1, 21):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1" if n <= 17 else "2"})
    form = engine.load_form(hand_survey.version)
    q1 = analysis.frequency_tables(form, [d for _k, d in analysis.submitted_data(hand_survey)], only="q1")[0]
    assert q1.rows[1][1] == HIDDEN_SYMBOL


def test_joint_answer_counts_covered_municipalities_as_responded(world: Any, small_version: Any) -> None:
    survey = services.national_survey_create(
        owner=world.org("nasjonalt-kompetansemiljo"), title="F", version=small_version, frame_year=2026
    )
    services.national_survey_open(survey=survey)
    evje = survey.invitations.get(kommunenummer="4219")
    services.response_save(invitation=evje, data={"q1": "1"}, final=True, covers=["4220", "4221", "4222"])
    table = analysis.representativeness(survey, "fylke")
    agder = next(row for row in table.rows if row[0] == "Agder")
    assert agder[2] == "4"
    assert len(analysis.submitted_data(survey)) == 1  # but one answer in the frequency tables


def test_frequency_table_n_and_percent(hand_survey: NationalSurvey) -> None:
    for n in range(1, 13):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1" if n <= 7 else "2", "q2": "3" if n <= 6 else "9"})
    form = engine.load_form(hand_survey.version)
    datas = [d for _k, d in analysis.submitted_data(hand_survey)]
    q1 = analysis.frequency_tables(form, datas, only="q1")[0]
    assert q1.rows == [["Ja", "7", "58,3"], ["Nei", "5", "41,7"], ["Totalt", "12", "100,0"]]
    assert q1.n == 12
    q2 = analysis.frequency_tables(form, datas, only="q2")[0]
    assert q2.rows == [
        ["I stor grad", "6", "50,0"],
        ["I noen grad", "0", "0,0"],
        ["I liten grad", "0", "0,0"],
        ["Ikke relevant", "6", "50,0"],
        ["Totalt", "12", "100,0"],
    ]


def test_frequency_table_small_group_shows_nothing(hand_survey: NationalSurvey) -> None:
    for n in range(1, 7):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1"})
    form = engine.load_form(hand_survey.version)
    table = analysis.frequency_tables(form, [d for _k, d in analysis.submitted_data(hand_survey)], only="q1")[
        0
    ]
    assert all(cell == HIDDEN_SYMBOL for row in table.rows for cell in row[1:])
    assert any("færre enn 10" in note for note in table.notes)


def test_multiple_choice_shares_of_respondents(hand_survey: NationalSurvey) -> None:
    for n in range(1, 11):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1", "verktoy": ["a", "b"] if n <= 5 else ["a"]})
    form = engine.load_form(hand_survey.version)
    table = analysis.frequency_tables(
        form, [d for _k, d in analysis.submitted_data(hand_survey)], only="verktoy"
    )[0]
    assert table.rows[0] == ["A", "10", "100,0"]
    assert table.rows[1] == ["B", "5", "50,0"]
    assert table.rows[2] == ["C", "0", "0,0"]
    assert table.rows[3] == ["Svarte på spørsmålet", "10", ""]


def test_crosstab_counts_and_chi_square_against_scipy(small_version: Any) -> None:
    form = engine.load_form(small_version)
    rows = (
        [("0001", {"q1": "1", "q2": "3"})] * 12
        + [("0002", {"q1": "1", "q2": "2"})] * 5
        + [("0003", {"q1": "2", "q2": "3"})] * 6
        + [("0004", {"q1": "2", "q2": "1"})] * 9
    )
    table = analysis.crosstab(
        form=form, rows_data=rows, row_question="q1", column_question="q2", policy=NO_SUPPRESSION
    )
    assert table.table is not None
    counts = [[cell.value for cell in line] for line in table.table.cells]
    assert counts == [[12, 5, 0, 0], [6, 0, 9, 0]]
    assert table.rows[0] == ["Ja", "70,6", "29,4", "0,0", "0,0", "17"]
    statistic, p_value, dof, _expected = chi2_contingency([[12, 5, 0], [6, 0, 9]], correction=False)
    assert table.chi2 is not None
    assert table.chi2["statistic"] == pytest.approx(statistic)
    assert table.chi2["p_value"] == pytest.approx(p_value)
    assert table.chi2["dof"] == dof == 2


def test_crosstab_suppresses_small_cells(small_version: Any) -> None:
    form = engine.load_form(small_version)
    rows = (
        [("1", {"q1": "1", "q2": "3"})] * 12
        + [("2", {"q1": "1", "q2": "2"})] * 2
        + [("3", {"q1": "2", "q2": "3"})] * 9
    )
    table = analysis.crosstab(form=form, rows_data=rows, row_question="q1", column_question="q2")
    assert table.table is not None
    assert table.table.cell("Ja", "I noen grad").hidden
    hidden = table.table.hidden_positions
    assert len(hidden) >= 2  # a lone hidden cell would be given away by the totals
    assert table.chi2 is None  # χ² with the margins could give the hidden cells away
    assert any("Kjikvadrattesten vises ikke" in note for note in table.notes)


def test_crosstab_by_group_set(hand_survey: NationalSurvey) -> None:
    for n in range(1, 21):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1" if n <= 10 else "2"})
    table = analysis.survey_crosstab(hand_survey, question="q1", by_group_set="fylke", policy=NO_SUPPRESSION)
    assert table.rows[0] == ["Fylke A", "100,0", "0,0", "10"]
    assert table.rows[1] == ["Fylke B", "0,0", "100,0", "10"]
    statistic, _p, _dof, _e = chi2_contingency([[10, 0], [0, 10]], correction=False)
    assert table.chi2 is not None and table.chi2["statistic"] == pytest.approx(statistic)


def test_chi_square_needs_two_by_two() -> None:
    assert analysis.chi_square([[5, 5]]) is None
    assert analysis.chi_square([[5, 0], [7, 0]]) is None


def test_open_answers_coded_and_counted(hand_survey: NationalSurvey) -> None:
    texts = ["Bolig mangler", "Bolig og økonomi", "For lite folk", "Bolig", "Økonomi", "Bolig igjen"]
    for n, text in enumerate(texts, start=1):
        _answer(hand_survey, f"90{n:02d}", {"q1": "1", "utfordringer": text})
    bolig = services.theme_add(survey=hand_survey, question_name="utfordringer", name="Bolig")
    okonomi = services.theme_add(survey=hand_survey, question_name="utfordringer", name="Økonomi")
    answers = analysis.open_answers(hand_survey, "utfordringer")
    assert [a.text for a in answers] == texts
    codes = {}
    for a in answers:
        themes = []
        if "olig" in a.text:
            themes.append(bolig.pk)
        if "konomi" in a.text:
            themes.append(okonomi.pk)
        codes[a.response_id] = themes
    services.answer_codes_set(survey=hand_survey, question_name="utfordringer", codes=codes)
    counts = analysis.theme_counts(hand_survey, "utfordringer", policy=NO_SUPPRESSION)
    assert counts.rows == [["Bolig", "4"], ["Økonomi", "2"]]
    suppressed = analysis.theme_counts(hand_survey, "utfordringer")
    assert suppressed.rows[1] == ["Økonomi", HIDDEN_SYMBOL]


def test_theme_must_be_unique_and_for_an_open_question(hand_survey: NationalSurvey) -> None:
    from django.core.exceptions import ValidationError

    services.theme_add(survey=hand_survey, question_name="utfordringer", name="Bolig")
    with pytest.raises(ValidationError, match="finnes allerede"):
        services.theme_add(survey=hand_survey, question_name="utfordringer", name="bolig")
    with pytest.raises(ValidationError, match="åpent spørsmål"):
        services.theme_add(survey=hand_survey, question_name="q1", name="X")
