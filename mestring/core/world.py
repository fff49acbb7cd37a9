"""The demo world from DOMAIN.md: organisations and one persona per role.

Used by `load_demo` and by the tests (the personas every test shares). Idempotent: running it again finds
what exists. Everyone here is invented; only the municipality names are real.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from mestring.accounts.models import Membership, User
from mestring.accounts.roles import Role
from mestring.organisations.models import CooperationMember, MunicipalityFrame, Organisation
from mestring.organisations.services import ensure_builtin_group_sets, frame_import, steering_seat_add

DEMO_PASSWORD = "mestring-demo-2026"
DEMO_FRAME = Path(__file__).resolve().parent.parent / "organisations" / "data" / "demo_kommuner_2026.csv"
DEMO_FRAME_YEAR = 2026

SETESDAL = ["4219", "4221", "4220", "4222"]
OSTERDALEN = ["3422", "3423", "3425", "3424", "3428", "3429", "3427", "3426", "3430"]


@dataclass(frozen=True)
class PersonaSpec:
    username: str
    first_name: str
    last_name: str
    org_slug: str
    role: str
    title: str
    extra: tuple[tuple[str, str], ...] = ()


# (slug, name, municipality number) of service units.
UNITS = [
    ("evje-rus-psykisk-helse", "Rus og psykisk helse Evje og Hornnes", "4219"),
    ("valle-psykisk-helse-rus", "Psykisk helse og rus Valle", "4221"),
    ("bygland-helse-omsorg", "Helse og omsorg Bygland", "4220"),
    ("bykle-helse-rus", "Helse og rus Bykle", "4222"),
    ("suldal-fact-light", "FACT-light-teamet i Suldal", "1134"),
    ("suldal-rus-psykisk-helse", "Rus- og psykisk helseteneste Suldal", "1134"),
    ("tynset-rus-psykisk-helse", "Rus og psykisk helse Tynset", "3427"),
]

PERSONAS = [
    PersonaSpec(
        "koordinator.evje", "Kari", "Fjellstad", "evje-rus-psykisk-helse", Role.COORDINATOR, "Koordinator"
    ),
    PersonaSpec("ansatt.evje", "Jon", "Heiberg", "evje-rus-psykisk-helse", Role.STAFF, "Miljøterapeut"),
    PersonaSpec(
        "leder.valle", "Ingrid", "Storstein", "valle-psykisk-helse-rus", Role.UNIT_LEADER, "Enhetsleder"
    ),
    PersonaSpec("ansatt.bykle", "Per", "Lidvang", "bykle-helse-rus", Role.STAFF, "Sykepleier"),
    PersonaSpec(
        "ruskonsulent.setesdal", "Astrid", "Brokke", "setesdal", Role.COORDINATOR, "Felles ruskonsulent"
    ),
    PersonaSpec("analytiker.setesdal", "Trond", "Hovden", "setesdal", Role.ANALYST, "Analytiker"),
    PersonaSpec(
        "admin.evje",
        "Liv",
        "Austad",
        "evje-og-hornnes",
        Role.MUNICIPAL_ADMIN,
        "Kommuneplanlegger",
        extra=(("setesdal", Role.ANALYST),),
    ),
    PersonaSpec(
        "leder.suldal", "Marit", "Vinjar", "suldal-fact-light", Role.UNIT_LEADER, "Teamleder FACT-light"
    ),
    PersonaSpec("ansatt.suldal", "Ola", "Kvilldal", "suldal-fact-light", Role.STAFF, "Miljøterapeut"),
    PersonaSpec("planlegger.osterdalen", "Siri", "Rena", "osterdalen", Role.MUNICIPAL_ADMIN, "Prosjektleder"),
    PersonaSpec(
        "forsker.nasjonal", "Eirik", "Moen", "nasjonalt-kompetansemiljo", Role.NATIONAL_ANALYST, "Forsker"
    ),
    PersonaSpec("drift", "Drift", "Mestring", "mestring-drift", Role.SYSADMIN, "Systemadministrator"),
]


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def org(self, slug: str) -> Organisation:
        return self.orgs[slug]

    def user(self, username: str) -> User:
        return self.users[username]


def demo_totp_key(username: str) -> str:
    """A fixed TOTP key per demo user so that `manage.py demo_otp` can print the current code."""
    return hashlib.sha256(f"mestring-demo-totp:{username}".encode()).hexdigest()[:40]


def _municipality(knr: str) -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, kommunenummer=knr)


def _org(slug: str, **defaults: object) -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(slug=slug, defaults=defaults)
    return organisation


def _cooperation(slug: str, name: str, host: str, members: list[str], **fields: object) -> Organisation:
    cooperation = _org(
        slug, kind=Organisation.Kind.COOPERATION, name=name, host=_municipality(host), **fields
    )
    for knr in members:
        CooperationMember.objects.get_or_create(
            cooperation=cooperation, municipality=_municipality(knr), valid_from=date(2016, 1, 1)
        )
    return cooperation


def _persona(spec: PersonaSpec, password: str) -> User:
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@demo.mestring.invalid",
        )
        user.set_password(password)
        user.save()
    for slug, role in ((spec.org_slug, spec.role), *spec.extra):
        Membership.objects.get_or_create(
            user=user,
            organisation=Organisation.objects.get(slug=slug),
            role=role,
            defaults={"title": spec.title},
        )
    TOTPDevice.objects.get_or_create(
        user=user, name="demo", defaults={"key": demo_totp_key(spec.username), "confirmed": True}
    )
    return user


@transaction.atomic
def build_world(password: str = DEMO_PASSWORD) -> World:
    if not MunicipalityFrame.objects.filter(year=DEMO_FRAME_YEAR).exists():
        frame_import(year=DEMO_FRAME_YEAR, text=DEMO_FRAME.read_text(encoding="utf-8"))
    ensure_builtin_group_sets()
    for slug, name, knr in UNITS:
        _org(slug, kind=Organisation.Kind.UNIT, name=name, parent=_municipality(knr))
    setesdal = _cooperation(
        "setesdal",
        "Setesdal interkommunale rus- og psykisk helsesamarbeid",
        "4219",
        SETESDAL,
        shares_person_data=True,
        members_see_each_other=False,
        contact_email="koordinator@setesdal-demo.invalid",
        address="Felles koordinatoradresse, Postboks 1, 4735 Evje",
        agreement=(
            "De fire kommunene deler ruskonsulent og psykolog. Felles koordinator følger opp personer i alle "
            "fire kommunene etter samtykke. Hver kommune ser bare egne enheter og personer."
        ),
    )
    osterdalen = _cooperation(
        "osterdalen",
        "Østerdalen ruspolitiske samarbeid",
        "3427",
        OSTERDALEN,
        shares_person_data=False,
        members_see_each_other=True,
        contact_email="handlingsplan@osterdalen-demo.invalid",
        agreement="Felles ruspolitisk handlingsplan for ni kommuner, styringsgruppe og årlige statusmøter.",
    )
    if not setesdal.steering_group.exists():
        for knr in SETESDAL:
            steering_seat_add(
                cooperation=setesdal, title="Kommunalsjef helse", municipality=_municipality(knr)
            )
    if not osterdalen.steering_group.exists():
        steering_seat_add(cooperation=osterdalen, title="Leder, rådmannsutvalget", holder="Rådmann (demo)")
        steering_seat_add(cooperation=osterdalen, title="Kommuneoverlege", municipality=_municipality("3427"))
    _org(
        "nasjonalt-kompetansemiljo", kind=Organisation.Kind.NATIONAL, name="Nasjonalt kompetansemiljø (demo)"
    )
    _org("mestring-drift", kind=Organisation.Kind.NATIONAL, name="mestring drift")
    for spec in PERSONAS:
        _persona(spec, password)
    return load_world()


def load_world() -> World:
    world = World()
    world.orgs = {o.slug: o for o in Organisation.objects.all()}
    world.users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])}
    return world


def demo_logins() -> list[tuple[str, str]]:
    """(username, description) for the demo's printed login list."""
    rows = []
    for spec in PERSONAS:
        membership = Membership.objects.filter(
            user__username=spec.username, organisation__slug=spec.org_slug
        ).first()
        if membership:
            rows.append((spec.username, f"{membership.get_role_display()}, {membership.organisation.name}"))
    return rows


def otp_required_for_demo() -> bool:
    return bool(settings.MESTRING_REQUIRE_OTP)
