"""The surveys app's rows in the role × URL matrix.

Personas with survey rights: leder.valle (unit leader, Valle) and admin.evje (municipal admin, Evje) manage
unit surveys; forsker.nasjonal (national analyst) manages national surveys. Respondent pages need no login.
"""

from mestring.core.testing.matrix import Route, expect, only
from mestring.surveys.defaults import ensure_default_questionnaires
from mestring.surveys.tests import fixtures

AUTHORS = {"leder.valle": 200, "admin.evje": 200, "planlegger.osterdalen": 200, "forsker.nasjonal": 200}
UNIT_MANAGERS = {"leder.valle": 200, "admin.evje": 200, "planlegger.osterdalen": 200}
NATIONAL = {"forsker.nasjonal": 200}
ANYONE = expect(200, anonymous=200)


def _national(w):  # type: ignore[no-untyped-def]
    return {"slug": fixtures.national_survey(w).slug}


def _shipped(w):  # type: ignore[no-untyped-def]
    return {"slug": ensure_default_questionnaires()[0].slug}


def _unit(w):  # type: ignore[no-untyped-def]
    return {"pk": fixtures.unit_survey(w).pk}


def _owned_question(w):  # type: ignore[no-untyped-def]
    return {"slug": fixtures.owned_questionnaire(w).slug, "pk": fixtures.owned_question(w).pk}


def _owned_section(w):  # type: ignore[no-untyped-def]
    return {"slug": fixtures.owned_questionnaire(w).slug, "pk": fixtures.owned_section(w).pk}


EVJE_EDITOR = {"admin.evje": 200, "leder.valle": 404, "planlegger.osterdalen": 404, "forsker.nasjonal": 404}


ROUTES = [
    Route(
        "surveys:home",
        only(
            dict.fromkeys(
                (
                    "leder.valle",
                    "admin.evje",
                    "planlegger.osterdalen",
                    "analytiker.setesdal",
                    "forsker.nasjonal",
                ),
                200,
            )
        ),
    ),
    # Authoring
    Route("surveys:questionnaire_list", only(AUTHORS)),
    Route("surveys:questionnaire_create", only(AUTHORS)),
    Route("surveys:xlsform_import", only(AUTHORS)),
    # Evje's own questionnaire: Evje's administrator; other authors see 404.
    Route(
        "surveys:questionnaire_detail",
        only({"admin.evje": 200, "leder.valle": 404, "planlegger.osterdalen": 404, "forsker.nasjonal": 404}),
        kwargs=lambda w: {"slug": fixtures.owned_questionnaire(w).slug},
        label="evje",
    ),
    # The shipped questionnaire: every author may read it (not edit).
    Route(
        "surveys:questionnaire_detail",
        only(AUTHORS),
        kwargs=_shipped,
        label="shipped",
    ),
    Route(
        "surveys:section_add",
        only({"admin.evje": 200, "leder.valle": 404, "planlegger.osterdalen": 404, "forsker.nasjonal": 404}),
        kwargs=lambda w: {"slug": fixtures.owned_questionnaire(w).slug},
    ),
    Route(
        "surveys:question_add",
        only({"admin.evje": 200, "leder.valle": 404, "planlegger.osterdalen": 404, "forsker.nasjonal": 404}),
        kwargs=lambda w: {"slug": fixtures.owned_questionnaire(w).slug},
    ),
    # Editing a draft: as adding. Evje's administrator; other authors do not see Evje's questionnaire (404).
    Route("surveys:question_edit", only(EVJE_EDITOR), kwargs=_owned_question),
    Route("surveys:question_delete", only(EVJE_EDITOR), kwargs=_owned_question),
    Route("surveys:question_move", only({**EVJE_EDITOR, "admin.evje": 405}), kwargs=_owned_question),
    Route("surveys:section_edit", only(EVJE_EDITOR), kwargs=_owned_section),
    Route("surveys:section_delete", only(EVJE_EDITOR), kwargs=_owned_section),
    Route("surveys:section_move", only({**EVJE_EDITOR, "admin.evje": 405}), kwargs=_owned_section),
    # The shipped questionnaire is read-only for every author (403, as adding to it).
    Route(
        "surveys:question_edit",
        only(dict.fromkeys(AUTHORS, 403)),
        kwargs=lambda w: {"slug": _shipped(w)["slug"], "pk": fixtures.shipped_question(w).pk},
        label="shipped",
    ),
    # A question of another questionnaire under Evje's slug: 404, never someone else's data.
    Route(
        "surveys:question_edit",
        only({**EVJE_EDITOR, "admin.evje": 404}),
        kwargs=lambda w: {
            "slug": fixtures.owned_questionnaire(w).slug,
            "pk": fixtures.shipped_question(w).pk,
        },
        label="other-questionnaire",
    ),
    Route(
        "surveys:version_publish",
        only({"admin.evje": 405, "leder.valle": 404, "planlegger.osterdalen": 404, "forsker.nasjonal": 404}),
        kwargs=lambda w: {"slug": fixtures.owned_questionnaire(w).slug},
    ),
    Route(
        "surveys:version_new",
        only({"admin.evje": 405, "leder.valle": 404, "planlegger.osterdalen": 404, "forsker.nasjonal": 404}),
        kwargs=lambda w: {"slug": fixtures.owned_questionnaire(w).slug},
    ),
    Route("surveys:questionnaire_copy", only(dict.fromkeys(AUTHORS, 405)), kwargs=_shipped),
    Route(
        "surveys:xlsform_export",
        only(AUTHORS),
        kwargs=_shipped,
    ),
    # Respondent pages: open to everyone, logged in or not.
    Route("surveys:respond", ANYONE, kwargs=lambda w: {"token": fixtures.invitation(w).token}),
    Route(
        "surveys:respond",
        expect(404, anonymous=404),
        kwargs=lambda w: {"token": "gjettet-lenke"},
        label="guessed",
    ),
    Route("surveys:respond_done", ANYONE, kwargs=lambda w: {"token": fixtures.invitation(w).token}),
    Route("surveys:unit_form", ANYONE, kwargs=lambda w: {"code": fixtures.unit_survey(w).code}),
    Route(
        "surveys:unit_form",
        expect(404, anonymous=404),
        kwargs=lambda w: {"code": "finnesikke"},
        label="guessed",
    ),
    Route("surveys:unit_kiosk", ANYONE, kwargs=lambda w: {"code": fixtures.unit_survey(w).code}),
    Route("surveys:unit_thanks", ANYONE, kwargs=lambda w: {"code": fixtures.unit_survey(w).code}),
    # Unit satisfaction surveys (Evje's unit): Evje's admin; Valle's leader and Østerdalen see 404.
    Route("surveys:unit_survey_list", only(UNIT_MANAGERS)),
    Route("surveys:unit_survey_create", only(UNIT_MANAGERS)),
    Route(
        "surveys:unit_survey_detail",
        only({"admin.evje": 200, "leder.valle": 404, "planlegger.osterdalen": 404}),
        kwargs=_unit,
    ),
    Route(
        "surveys:unit_survey_round",
        only({"admin.evje": 405, "leder.valle": 404, "planlegger.osterdalen": 404}),
        kwargs=_unit,
    ),
    Route(
        "surveys:unit_survey_results",
        only(
            {
                "admin.evje": 200,
                "analytiker.setesdal": 200,
                "leder.valle": 404,
                "planlegger.osterdalen": 404,
                "forsker.nasjonal": 404,
            }
        ),
        kwargs=_unit,
    ),
    Route(
        "surveys:unit_survey_results_export",
        only(
            {
                "admin.evje": 302,  # the fixture round has too few answers: back to the results page
                "analytiker.setesdal": 302,
                "leder.valle": 404,
                "planlegger.osterdalen": 404,
                "forsker.nasjonal": 404,
            }
        ),
        kwargs=lambda w: {**_unit(w), "fmt": "csv"},
    ),
    # National surveys: the owning national analyst only.
    Route("surveys:national_list", only(NATIONAL)),
    Route("surveys:national_create", only(NATIONAL)),
    Route("surveys:national_detail", only(NATIONAL), kwargs=_national),
    Route("surveys:national_status", only(NATIONAL), kwargs=_national),
    Route(
        "surveys:invitation_edit",
        only(NATIONAL),
        kwargs=lambda w: {**_national(w), "kommunenummer": "4219"},
    ),
    Route(
        "surveys:invitation_edit",
        only({"forsker.nasjonal": 404}),
        kwargs=lambda w: {**_national(w), "kommunenummer": "0000"},
        label="unknown",
    ),
    Route("surveys:invitation_addresses", only(NATIONAL), kwargs=_national),
    Route(
        "surveys:national_detail",
        only(NATIONAL),
        kwargs=_national,
        query="?status=no_address",
        label="no-address",
    ),
    Route("surveys:national_send", only({"forsker.nasjonal": 405}), kwargs=_national),
    Route("surveys:national_remind", only({"forsker.nasjonal": 405}), kwargs=_national),
    # Closing: a confirmation page (GET), the POST closes; reopening is POST only.
    Route("surveys:national_close", only(NATIONAL), kwargs=_national),
    Route("surveys:national_reopen", only({"forsker.nasjonal": 405}), kwargs=_national),
    Route("surveys:national_analysis", only(NATIONAL), kwargs=_national),
    Route("surveys:national_crosstab", only(NATIONAL), kwargs=_national),
    Route(
        "surveys:national_crosstab",
        only(NATIONAL),
        kwargs=_national,
        query="?sporsmal=organisering_fungerer&etter=helseregion",
        label="by-region",
    ),
    Route("surveys:national_open_answers", only(NATIONAL), kwargs=_national),
    Route("surveys:national_export", only(NATIONAL), kwargs=lambda w: {**_national(w), "fmt": "sav"}),
    Route("surveys:national_tables_export", only(NATIONAL), kwargs=lambda w: {**_national(w), "fmt": "csv"}),
    # API
    Route("survey-national-list", only(NATIONAL, anonymous=403)),
    Route("survey-national-status", only(NATIONAL, anonymous=403), kwargs=_national),
    Route("survey-national-tables", only(NATIONAL, anonymous=403), kwargs=_national),
    Route(
        "survey-unit-results",
        only(
            {
                "admin.evje": 200,
                "analytiker.setesdal": 200,
                "leder.valle": 404,
                "planlegger.osterdalen": 404,
                "forsker.nasjonal": 404,
            },
            anonymous=403,
        ),
        kwargs=_unit,
    ),
]
