from mestring.core.testing.matrix import Route, only
from mestring.people.tests.fixtures import fixture_person

PERSON = only(
    {"koordinator.evje": 200, "ruskonsulent.setesdal": 200, "ansatt.bykle": 404, "leder.valle": 404}
)


def person(world):  # type: ignore[no-untyped-def]
    return {"pk": fixture_person(world).pk}


ROUTES = [
    # The roles that administer organisations; what each sees is limited to its own (test_admin_log).
    Route("audit:admin_log", only({"admin.evje": 200, "planlegger.osterdalen": 200, "drift": 200})),
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
