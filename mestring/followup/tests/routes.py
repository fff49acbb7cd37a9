"""Follow-up rows of the role × URL matrix.

The fixture person (tests/fixtures.build_followup) is served by Evje's unit with koordinator.evje as
coordinator: Evje staff and the Setesdal cooperation (shares person data) see it; Bykle and Valle get 404;
roles without person access get 403. POST-only actions answer 405 to a GET from those who may act.
"""

from typing import Any

from mestring.core.testing.matrix import Route, only
from mestring.core.world import World
from mestring.followup.tests.fixtures import build_followup

WORKERS = {"koordinator.evje": 200, "ansatt.bykle": 200, "leder.valle": 200, "ruskonsulent.setesdal": 200}
POST_ONLY = {"koordinator.evje": 405, "ansatt.bykle": 405, "leder.valle": 405, "ruskonsulent.setesdal": 405}
SEEN = {"koordinator.evje": 200, "ruskonsulent.setesdal": 200, "ansatt.bykle": 404, "leder.valle": 404}
PERSON = only(SEEN)
API_PERSON = only(SEEN, anonymous=403)


def person(world: World) -> dict[str, Any]:
    return {"person_id": build_followup(world).person.pk}


def with_(name: str, kwarg: str | None = None):  # type: ignore[no-untyped-def]
    """kwargs: the person plus one of the fixture's objects."""

    def kwargs(world: World) -> dict[str, Any]:
        data = build_followup(world)
        return {"person_id": data.person.pk, (kwarg or f"{name}_id"): getattr(data, name).pk}

    return kwargs


def api_with(name: str):  # type: ignore[no-untyped-def]
    def kwargs(world: World) -> dict[str, Any]:
        data = build_followup(world)
        return {"person_id": data.person.pk, "pk": getattr(data, name).pk}

    return kwargs


ROUTES = [
    Route("followup:caseload", only(WORKERS)),
    Route("followup:board", only(WORKERS)),
    Route("followup:board_fragment", only(WORKERS)),
    Route("followup:board_add", only(WORKERS)),
    # GET is the confirmation page (without JavaScript); only the board's unit and its cooperation see it
    Route("followup:board_remove", PERSON, kwargs=lambda w: {"entry_id": build_followup(w).entry.pk}),
    Route("followup:quality", only({"leder.valle": 200})),
    Route("followup:instruments", only(WORKERS)),
    Route("followup:instrument_create", only({"leder.valle": 200})),
    Route("followup:person", PERSON, kwargs=person),
    Route("followup:episode_create", PERSON, kwargs=person),
    Route("followup:episode_edit", PERSON, kwargs=with_("episode")),
    Route("followup:coordinator", PERSON, kwargs=person),
    Route("followup:referral_create", PERSON, kwargs=person),
    Route("followup:referral_edit", PERSON, kwargs=with_("referral")),
    Route("followup:goals", PERSON, kwargs=person),
    Route("followup:goal_edit", PERSON, kwargs=with_("goal")),
    Route("followup:goal_rate", PERSON, kwargs=with_("goal")),
    Route("followup:mapping", PERSON, kwargs=person),
    Route("followup:mapping_create", PERSON, kwargs=person),
    Route("followup:plan", PERSON, kwargs=person),
    Route("followup:plan_edit", PERSON, kwargs=person),
    Route("followup:plan_decline", PERSON, kwargs=person),
    Route("followup:plan_diff", PERSON, kwargs=person),
    Route("followup:plan_pdf", PERSON, kwargs=person),
    Route("followup:plan_version", PERSON, kwargs=lambda w: {**person(w), "number": 1}),
    Route("followup:measure_create", PERSON, kwargs=person),
    Route("followup:measure_edit", PERSON, kwargs=with_("measure")),
    Route("followup:care_team", PERSON, kwargs=person),
    Route("followup:care_team_end", PERSON, kwargs=with_("member")),  # GET: the confirmation page
    Route("followup:meeting_create", PERSON, kwargs=person),
    Route("followup:meeting", PERSON, kwargs=with_("meeting")),
    Route("followup:decision_add", PERSON, kwargs=with_("meeting")),
    Route("followup:crisis_plan", PERSON, kwargs=person),
    Route("followup:crisis_plan_edit", PERSON, kwargs=person),
    Route("followup:feedback", PERSON, kwargs=person),
    Route(
        "followup:feedback_answer", PERSON, kwargs=lambda w: {**person(w), "slug": "samtaletilbakemelding"}
    ),
    Route("followup:reminder_done", only(POST_ONLY), kwargs=with_("reminder")),
    # API
    Route("followup-episode-list", API_PERSON, kwargs=person),
    Route("followup-episode-detail", API_PERSON, kwargs=api_with("episode")),
    Route("followup-goal-list", API_PERSON, kwargs=person),
    Route("followup-goal-detail", API_PERSON, kwargs=api_with("goal")),
    Route("followup-measure-list", API_PERSON, kwargs=person),
    Route("followup-measure-detail", API_PERSON, kwargs=api_with("measure")),
    Route("followup-meeting-list", API_PERSON, kwargs=person),
    Route("followup-meeting-detail", API_PERSON, kwargs=api_with("meeting")),
    Route("followup-feedback-score-list", API_PERSON, kwargs=person),
    Route(
        "followup-feedback-score-detail",
        API_PERSON,
        kwargs=lambda w: {**person(w), "pk": build_followup(w).person.feedback_scores.first().pk},  # type: ignore[union-attr]
    ),
    Route("followup-plan", API_PERSON, kwargs=person),
    Route("followup-plan-diff", API_PERSON, kwargs=person),
    Route("followup-fhir", API_PERSON, kwargs=person),
    Route("followup-instrument-list", only(WORKERS, anonymous=403)),
    Route(
        "followup-instrument-detail",
        only(WORKERS, anonymous=403),
        kwargs=lambda w: {"slug": "livskvalitet-kort"},
    ),
]
