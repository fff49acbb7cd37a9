from mestring.core.testing.matrix import Route, only
from mestring.people.tests.fixtures import fixture_person

PERSON = only(
    {"koordinator.evje": 200, "ruskonsulent.setesdal": 200, "ansatt.bykle": 404, "leder.valle": 404}
)


def person(world):  # type: ignore[no-untyped-def]
    return {"pk": fixture_person(world).pk}


ROUTES = [
    Route("audit:innsyn", PERSON, kwargs=person),
    Route("audit:innsyn_json", PERSON, kwargs=person),
    Route("audit:innsyn_pdf", PERSON, kwargs=person),
    Route(
        "person-access-log",
        only(
            {"koordinator.evje": 200, "ruskonsulent.setesdal": 200, "ansatt.bykle": 404, "leder.valle": 404},
            anonymous=403,
        ),
        kwargs=person,
    ),
]
