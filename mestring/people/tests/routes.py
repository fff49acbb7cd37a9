"""People rows of the role × URL matrix. The fixture person is served by Evje's unit, koordinator.evje on
the care team: Evje staff and the Setesdal cooperation (shares person data) see it; Bykle and Valle get 404;
roles without person access get 403."""

from mestring.core.testing.matrix import Route, only
from mestring.people.tests.fixtures import fixture_person

WORKERS = {"koordinator.evje": 200, "ansatt.bykle": 200, "leder.valle": 200, "ruskonsulent.setesdal": 200}
# The fixture person: Evje and the Setesdal cooperation see it; 404 elsewhere; 403 without access.
PERSON = only(
    {"koordinator.evje": 200, "ruskonsulent.setesdal": 200, "ansatt.bykle": 404, "leder.valle": 404}
)
API_PERSON = only(
    {"koordinator.evje": 200, "ruskonsulent.setesdal": 200, "ansatt.bykle": 404, "leder.valle": 404},
    anonymous=403,
)


def person(world):  # type: ignore[no-untyped-def]
    return {"pk": fixture_person(world).pk}


def relative(world):  # type: ignore[no-untyped-def]
    from mestring.people.models import Relative

    person = fixture_person(world)
    row, _ = Relative.objects.get_or_create(
        person=person, name="Matrise Mor", relation=Relative.Relation.PARENT
    )
    return {"pk": person.pk, "relative_pk": row.pk}


ROUTES = [
    Route("people:list", only(WORKERS)),
    Route("people:create", only(WORKERS)),
    Route("people:break_glass_review", only({"leder.valle": 200})),
    Route("people:detail", PERSON, kwargs=person),
    Route("people:edit", PERSON, kwargs=person),
    Route("people:national_id", PERSON, kwargs=person),
    Route("people:consents", PERSON, kwargs=person),
    Route("people:share", PERSON, kwargs=person),
    Route("people:relatives", PERSON, kwargs=person),
    Route("people:relative_remove", PERSON, kwargs=relative),
    Route("people:children_routine", PERSON, kwargs=person),
    Route("people:care_team", PERSON, kwargs=person),
    Route("people:history", PERSON, kwargs=person),
    Route("people:end", PERSON, kwargs=person),
    # Those with tjenstlig behov are sent on to the record; other municipalities see nothing.
    Route(
        "people:break_glass",
        only(
            {"koordinator.evje": 302, "ruskonsulent.setesdal": 302, "ansatt.bykle": 404, "leder.valle": 404}
        ),
        kwargs=person,
    ),
    Route("person-list", only(WORKERS, anonymous=403)),
    Route("person-detail", API_PERSON, kwargs=person),
]
