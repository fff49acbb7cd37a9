"""Demo persons (invented; synthetic ids with valid check digits, never real people). Idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from mestring.core.world import World
from mestring.people import crypto, fnr, services
from mestring.people.models import ChildrenRoutine, ConsentRecipient, Person, Relative


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    birth: date
    serial: int
    female: bool
    unit: str
    team: tuple[tuple[str, str], ...]
    extra: dict[str, object] = field(default_factory=dict)
    with_id: bool = True


DEMO_PERSONS = [
    DemoPerson(
        "Line",
        "Aasvik",
        date(1986, 4, 12),
        211,
        True,
        "evje-rus-psykisk-helse",
        (("koordinator.evje", "Koordinator"), ("ansatt.evje", "Miljøterapeut")),
        {"phone": "400 00 001", "preferred_meeting_places": "Hjemme eller på kafeen i sentrum"},
    ),
    DemoPerson(
        "Geir",
        "Tveit",
        date(1972, 11, 3),
        114,
        False,
        "evje-rus-psykisk-helse",
        (("koordinator.evje", "Koordinator"),),
        {"interpreter_needed": False, "preferred_meeting_places": "På tur, helst ute"},
    ),
    DemoPerson(
        "Samira",
        "Haddad",
        date(1995, 2, 27),
        330,
        True,
        "evje-rus-psykisk-helse",
        (("koordinator.evje", "Koordinator"),),
        {"interpreter_needed": True, "interpreter_language": "arabisk"},
    ),
    DemoPerson(
        "Tor",
        "Nesland",
        date(1990, 1, 1),
        0,
        False,
        "evje-rus-psykisk-helse",
        (("ansatt.evje", "Kontaktperson"),),
        {"birth_year": 1990},
        with_id=False,
    ),
    DemoPerson(
        "Randi",
        "Hoslemo",
        date(1968, 7, 19),
        402,
        True,
        "bykle-helse-rus",
        (("ansatt.bykle", "Kontaktperson"),),
        {"confidential_address": True},
    ),
    DemoPerson(
        "Hallvard",
        "Rysstad",
        date(1983, 12, 1),
        260,
        False,
        "valle-psykisk-helse-rus",
        (("leder.valle", "Enhetsleder og kontakt"),),
        {"preferred_meeting_places": "Kontoret eller hjemme"},
    ),
    DemoPerson(
        "Øystein",
        "Vasshus",
        date(1979, 9, 8),
        155,
        False,
        "suldal-fact-light",
        (("ansatt.suldal", "Case manager"), ("leder.suldal", "Teamleder")),
        {"preferred_meeting_places": "Hjemme"},
    ),
]


def _existing(spec: DemoPerson, national_id: str) -> Person | None:
    if national_id:
        return Person.objects.filter(national_id_hmac=crypto.lookup_hash(national_id)).first()
    return Person.objects.filter(
        first_name=spec.first_name, last_name=spec.last_name, national_id_hmac=""
    ).first()


@transaction.atomic
def load(world: World) -> None:
    for spec in DEMO_PERSONS:
        national_id = (
            fnr.synthetic_fodselsnummer(spec.birth, spec.serial, female=spec.female) if spec.with_id else ""
        )
        if _existing(spec, national_id) is not None:
            continue
        unit = world.org(spec.unit)
        assert unit.parent is not None
        first_user = world.user(spec.team[0][0])
        person = services.person_create(
            actor=first_user,
            organisation=unit.parent,
            unit=unit,
            first_name=spec.first_name,
            last_name=spec.last_name,
            national_id=national_id,
            add_actor_to_care_team=False,
            **spec.extra,  # type: ignore[arg-type]
        )
        for username, title in spec.team:
            services.care_team_member_add(
                actor=first_user, person=person, user=world.user(username), role_title=title
            )
        if spec.first_name == "Line":
            services.consent_record(
                actor=first_user,
                person=person,
                recipient=ConsentRecipient.NAV,
                given=True,
                scope="Opplysninger som trengs for oppfølging av arbeid og økonomi",
            )
            services.consent_record(
                actor=first_user, person=person, recipient=ConsentRecipient.GP, given=True
            )
            services.relative_add(
                actor=first_user,
                person=person,
                name="Emma Aasvik",
                relation=Relative.Relation.CHILD,
                birth_year=2014,
                followup_offered=True,
            )
            services.share_information(
                actor=first_user,
                person=person,
                recipient=ConsentRecipient.NAV,
                what="Bekreftelse på deltakelse i dagaktivitet",
            )
        elif spec.first_name == "Geir":
            services.children_routine_answer(
                actor=first_user, person=person, answer=ChildrenRoutine.NO_CHILDREN
            )
            services.consent_record(
                actor=first_user, person=person, recipient=ConsentRecipient.TSB, given=False
            )
