"""Demo follow-up data for the people app's demo persons (all invented). Idempotent: a person who already
has an episode is left alone. Runs after `mestring.people.demo` (INSTALLED_APPS order)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from mestring.accounts.models import User
from mestring.core.world import World
from mestring.followup import services
from mestring.followup.instruments import ensure_builtin_instruments
from mestring.followup.models import Episode, IndividualPlan, Instrument, Measure, PlanVersion
from mestring.mapping.areas import AREA_CODES, Phase, Rating
from mestring.people.models import Person

G, Y, R = Rating.GREEN.value, Rating.YELLOW.value, Rating.RED.value


def _ratings(values: str, notes: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """'gyrg…' (eight letters, one per area in AREAS order) → ratings."""
    letter = {"g": G, "y": Y, "r": R}
    notes = notes or {}
    return {code: (letter[v], notes.get(code, "")) for code, v in zip(AREA_CODES, values, strict=True)}


def _person(first_name: str, last_name: str) -> Person | None:
    return Person.objects.filter(first_name=first_name, last_name=last_name).first()


def _feedback(actor: User, person: Person, slug: str, series: list[list[int]], start: date) -> None:
    instrument = Instrument.objects.get(slug=slug)
    for i, values in enumerate(series):
        services.feedback_record(
            actor=actor,
            person=person,
            instrument=instrument,
            values=values,
            answered_on=start + timedelta(days=14 * i),
        )


def _line(world: World, person: Person) -> None:
    """On track: housing found, activity started, feedback improving."""
    kari = world.user("koordinator.evje")
    jon = world.user("ansatt.evje")
    today = timezone.localdate()
    episode = services.episode_start(
        actor=kari,
        person=person,
        phase=Phase.AFTER,
        started_on=today - timedelta(days=420),
        units=[world.org("evje-rus-psykisk-helse")],
        coordinator=kari,
    )
    services.referral_create(
        actor=kari,
        episode=episode,
        direction="out",
        agency="tsb",
        agency_name="Avdeling for rusbehandling, Sørlandet sykehus",
        referred_on=today - timedelta(days=400),
        status="started",
        answered_on=today - timedelta(days=380),
        started_on=today - timedelta(days=330),
    )
    home = services.goal_create(
        actor=kari, person=person, text="Jeg vil ha et sted å bo der Emma kan besøke meg", area="bolig"
    )
    services.goal_create(
        actor=kari, person=person, text="Finne en leilighet med to rom", parent=home, area="bolig"
    )
    work = services.goal_create(
        actor=kari, person=person, text="Ha noe å stå opp til om morgenen", area="meningsfull_aktivitet"
    )
    services.mapping_record(
        actor=kari,
        person=person,
        assessed_on=today - timedelta(days=400),
        ratings=_ratings("rrryrryy", {"bolig": "Bor hos en venninne"}),
    )
    services.mapping_record(
        actor=kari,
        person=person,
        assessed_on=today - timedelta(days=30),
        ratings=_ratings("gyyggygy", {"bolig": "Egen leilighet fra i vår"}),
    )
    services.plan_save(
        actor=kari,
        person=person,
        expected_version=0,
        next_review_on=today + timedelta(days=60),
        resources="Glad i dyr og friluftsliv. God kontakt med datteren.",
        needs="Bolig, dagtilbud, økonomi",
        participants="Line, koordinator, NAV-veileder, fastlege",
        time_perspective="ett år",
        consent_to_share=True,
        rights_informed=True,
        change_note="Første plan",
    )
    services.measure_create(
        actor=kari,
        person=person,
        goal=home,
        title="Søke kommunal utleiebolig",
        responsible="Boligkontoret, Evje",
        extent="Én søknad",
        how="Koordinator hjelper med søknaden",
        start_on=today - timedelta(days=300),
        end_on=today - timedelta(days=120),
        status=Measure.Status.DONE,
    )
    services.measure_create(
        actor=kari,
        person=person,
        goal=work,
        title="Dagaktivitet på Frivilligsentralen",
        responsible="Jon Heiberg",
        responsible_user=jon,
        extent="To dager i uka",
        how="Jon følger de første gangene",
        start_on=today - timedelta(days=90),
        end_on=today + timedelta(days=90),
        status=Measure.Status.ACTIVE,
    )
    services.plan_save(
        actor=kari,
        person=person,
        expected_version=1,
        next_review_on=today + timedelta(days=60),
        resources="Glad i dyr og friluftsliv. God kontakt med datteren.",
        needs="Dagtilbud, økonomi",
        participants="Line, koordinator, NAV-veileder, fastlege",
        time_perspective="ett år",
        consent_to_share=True,
        rights_informed=True,
        change_note="Bolig på plass, dagaktivitet lagt til",
    )
    services.care_team_add(actor=kari, person=person, user=jon, role_title="Miljøterapeut")
    services.care_team_add(
        actor=kari,
        person=person,
        name="Nora Bakke",
        agency="nav",
        role_title="NAV-veileder",
        phone="400 10 200",
        consent_to_share=True,
    )
    services.care_team_add(
        actor=kari, person=person, name="Dr. Olsen", agency="gp", role_title="Fastlege", consent_to_share=True
    )
    held = services.meeting_create(
        actor=kari,
        person=person,
        starts_at=timezone.now() - timedelta(days=28),
        place="Evje helsehus",
        agenda="1. Bolig\n2. Dagaktivitet\n3. Økonomi",
    )
    services.meeting_update(
        actor=kari,
        meeting=held,
        expected_version=1,
        starts_at=held.starts_at,
        status="held",
        place=held.place,
        agenda=held.agenda,
        minutes="Line har fått leilighet. Vi starter dagaktivitet.",
        next_meeting_on=today + timedelta(days=30),
        present_member_ids=list(held.attendance.values_list("member_id", flat=True)),
    )
    services.decision_add(
        actor=kari,
        meeting=held,
        text="Line starter på Frivilligsentralen to dager i uka",
        change_measure=Measure.objects.get(person=person, title="Dagaktivitet på Frivilligsentralen"),
        measure_changes={"status": Measure.Status.ACTIVE},
    )
    services.crisis_plan_save(
        actor=kari,
        person=person,
        expected_version=0,
        warning_signs="Slutter å svare på telefon. Sover lite. Trekker meg fra Emma.",
        what_helps="At noen kommer innom. Gå tur med hunden. Snakke med søsteren min.",
        what_i_do="Ringer søsteren min. Går en tur.",
        avoid="Å bli overtalt på telefon.",
        contacts="Søster Hege: 400 00 111\nKoordinator Kari: 400 00 222\nLegevakt: 116 117",
    )
    _feedback(
        kari,
        person,
        "livskvalitet-kort",
        [[4, 3, 4, 3, 3], [4, 4, 4, 4, 3], [5, 5, 5, 4, 4], [6, 5, 6, 5, 5]],
        today - timedelta(days=56),
    )
    _feedback(
        kari,
        person,
        "samtaletilbakemelding",
        [[8, 7, 8, 8], [9, 8, 9, 9], [9, 9, 9, 10]],
        today - timedelta(days=28),
    )


def _geir(world: World, person: Person) -> None:
    """Not on track: quality of life falling, a measure overdue, on the FACT board."""
    kari = world.user("koordinator.evje")
    today = timezone.localdate()
    services.episode_start(
        actor=kari,
        person=person,
        phase=Phase.WAITING_TSB,
        started_on=today - timedelta(days=120),
        units=[world.org("evje-rus-psykisk-helse")],
        coordinator=kari,
    )
    episode = Episode.objects.get(person=person, ended_on__isnull=True)
    services.referral_create(
        actor=kari,
        episode=episode,
        direction="out",
        agency="tsb",
        agency_name="Borgestadklinikken",
        referred_on=today - timedelta(days=52),
        status="accepted",
        answered_on=today - timedelta(days=40),
        reason="Ønsker døgnbehandling",
    )
    goal = services.goal_create(
        actor=kari, person=person, text="Bli rusfri nok til å ta opp igjen fiskingen", area="rusmiddelbruk"
    )
    services.mapping_record(
        actor=kari, person=person, assessed_on=today - timedelta(days=110), ratings=_ratings("yyyyrryr")
    )
    services.measure_create(
        actor=kari,
        person=person,
        goal=goal,
        title="Samtaler om rus to ganger i uka",
        responsible="Kari Fjellstad",
        responsible_user=kari,
        extent="2 × 45 min",
        start_on=today - timedelta(days=100),
        end_on=today - timedelta(days=5),
        status=Measure.Status.ACTIVE,
    )
    services.plan_decline(
        actor=kari, person=person, expected_version=0, reason="Vil vente til etter behandling"
    )
    _feedback(
        kari,
        person,
        "livskvalitet-kort",
        [[5, 5, 5, 5, 5], [5, 5, 4, 5, 4], [4, 4, 3, 4, 3]],
        today - timedelta(days=28),
    )
    _feedback(kari, person, "samtaletilbakemelding", [[7, 7, 6, 7], [6, 5, 6, 6]], today - timedelta(days=14))
    services.board_add(
        actor=kari,
        unit=world.org("evje-rus-psykisk-helse"),
        person=person,
        reason="Venter på TSB, økende bruk og lav livskvalitet",
        responsible=kari,
    )


def _samira(world: World, person: Person) -> None:
    """Early phase, goals first; coordinator is the shared Setesdal substance-use consultant."""
    kari = world.user("koordinator.evje")
    services.episode_start(
        actor=kari,
        person=person,
        phase=Phase.EARLY,
        units=[world.org("evje-rus-psykisk-helse")],
        coordinator=world.user("ruskonsulent.setesdal"),
    )
    services.goal_create(actor=kari, person=person, text="Lære norsk godt nok til å ta førerkort")
    services.goal_create(actor=kari, person=person, text="Få venner her i bygda", area="sosialt_nettverk")


def _oystein(world: World, person: Person) -> None:
    """Suldal FACT-light: intensive follow-up."""
    ola = world.user("ansatt.suldal")
    today = timezone.localdate()
    services.episode_start(
        actor=ola,
        person=person,
        phase=Phase.IN_TSB,
        started_on=today - timedelta(days=200),
        units=[world.org("suldal-fact-light")],
        coordinator=ola,
    )
    services.goal_create(actor=ola, person=person, text="Bo hjemme og klare meg selv", area="bolig")
    services.mapping_record(actor=ola, person=person, ratings=_ratings("ryyrryrr"))
    services.crisis_plan_save(
        actor=ola,
        person=person,
        expected_version=0,
        warning_signs="Hører stemmer, slutter å spise",
        what_helps="Faste besøk, medisiner til riktig tid",
        contacts="FACT-light-teamet: 400 00 333",
    )
    services.board_add(
        actor=ola,
        unit=world.org("suldal-fact-light"),
        person=person,
        reason="Utskrevet fra døgn for ei uke siden",
        responsible=ola,
    )


BUILDERS = {
    ("Line", "Aasvik"): _line,
    ("Geir", "Tveit"): _geir,
    ("Samira", "Haddad"): _samira,
    ("Øystein", "Vasshus"): _oystein,
}


# Suldal FACT-light's wider caseload (invented people), so the unit leader's quality figures show numbers:
# (first name, phase or "" for no episode, has a plan, has a crisis plan, asked about children).
SULDAL_TEAM = [
    ("Arne", Phase.IN_TSB, True, True, True),
    ("Berit", Phase.AFTER, True, True, True),
    ("Cecilie", Phase.AFTER, True, False, True),
    ("Dag", Phase.WAITING_TSB, True, True, False),
    ("Eli", Phase.EARLY, False, False, True),
    ("Frode", Phase.IN_TSB, True, True, True),
    ("Gunn", Phase.AFTER, True, False, True),
    ("Halvor", Phase.EARLY, False, True, False),
    ("Ingunn", Phase.IN_TSB, True, True, True),
    ("Jostein", "", False, False, False),
    ("Kjersti", Phase.AFTER, True, True, True),
    ("Lars", Phase.WAITING_TSB, False, False, True),
    ("Marte", Phase.IN_TSB, True, True, True),
    ("Nils", "", False, False, False),
    ("Oda", Phase.AFTER, True, False, True),
]
SULDAL_SURNAME = "Fjellstølen"


def _suldal_team(world: World) -> None:
    if Person.objects.filter(last_name=SULDAL_SURNAME).exists():
        return
    from mestring.people import services as people_services
    from mestring.people.models import ChildrenRoutine

    ola = world.user("ansatt.suldal")
    unit = world.org("suldal-fact-light")
    today = timezone.localdate()
    for i, (first, phase, plan, crisis, asked) in enumerate(SULDAL_TEAM):
        person = people_services.person_create(
            actor=None,
            organisation=unit.parent,  # type: ignore[arg-type]
            unit=unit,
            first_name=first,
            last_name=SULDAL_SURNAME,
            birth_year=1965 + 2 * i,
            add_actor_to_care_team=False,
        )
        if asked:
            people_services.children_routine_answer(
                actor=ola, person=person, answer=ChildrenRoutine.NO_CHILDREN
            )
        if phase:
            services.episode_start(
                actor=ola,
                person=person,
                phase=phase,
                started_on=today - timedelta(days=60 + 30 * i),
                units=[unit],
                coordinator=ola if i % 4 else None,
            )
        if plan:
            version = services.plan_save(
                actor=ola,
                person=person,
                expected_version=0,
                needs="Hjelp til å klare hverdagen hjemme",
                next_review_on=today + timedelta(days=60),
            )
            if i % 5 == 0:
                _review_passed(version, today - timedelta(days=20))
        if crisis:
            services.crisis_plan_save(
                actor=ola,
                person=person,
                expected_version=0,
                warning_signs="Trekker seg unna, sover lite",
                what_helps="Besøk av teamet, faste avtaler",
                contacts="FACT-light-teamet: 400 00 333",
            )


def _review_passed(version: PlanVersion, review_on: date) -> None:
    """Demo only: let time pass for a plan saved long ago, so its next review (a date in the future when it
    was saved; services refuse older dates) is now overdue."""
    IndividualPlan.objects.filter(pk=version.plan_id).update(next_review_on=review_on)
    version.snapshot["next_review_on"] = review_on.isoformat()
    version.saved_at = timezone.now() - timedelta(days=120)
    version.save(update_fields=["snapshot", "saved_at"])


@transaction.atomic
def load(world: World) -> None:
    ensure_builtin_instruments()
    for (first, last), build in BUILDERS.items():
        person = _person(first, last)
        if person is None or Episode.objects.filter(person=person).exists():
            continue
        build(world, person)
    _suldal_team(world)
