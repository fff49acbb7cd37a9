"""Innsyn (GDPR art. 15): everything stored about a person, and who has read the record.

Other apps add their data through `register_exporter(name, fn)` in their AppConfig.ready():
`fn(person) -> list | dict` of JSON-serialisable values (strings, numbers, booleans, None, ISO
dates). The export never contains keys, hashes or ciphertext; the national id appears decrypted (it is
the person's own).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.audit.history import describe
from mestring.audit.models import AccessLog, ChangeLog

if TYPE_CHECKING:
    from mestring.people.models import Person

Exporter = Callable[["Person"], Any]
_EXPORTERS: dict[str, Exporter] = {}


# How each key of the export's "person" section reads in the PDF (the JSON keeps the stable keys).
PERSON_LABELS: dict[str, Any] = {
    "id": _("Id i mestring"),
    "fornavn": _("Fornavn"),
    "etternavn": _("Etternavn"),
    "fodselsnummer": _("Fødselsnummer eller D-nummer"),
    "fodselsdato": _("Fødselsdato"),
    "fodselsar": _("Fødselsår"),
    "kjonn": _("Kjønn"),
    "telefon": _("Telefon"),
    "epost": _("E-post"),
    "adresse": _("Adresse"),
    "foretrukne_motesteder": _("Foretrukne møtesteder"),
    "trenger_tolk": _("Trenger tolk"),
    "tolk_sprak": _("Tolk, språk"),
    "fortrolig_adresse": _("Fortrolig eller strengt fortrolig adresse"),
    "bostedskommune": _("Bostedskommune"),
    "barn_som_parorende": _("Barn som pårørende"),
    "barn_oppfolging_tilbudt": _("Barna er tilbudt samtale/oppfølging"),
    "status": _("Status"),
    "oppfolging_avsluttet": _("Oppfølging avsluttet"),
    "registrert": _("Registrert"),
    "sist_endret": _("Sist endret"),
}


# Keys of other apps' sections (ASCII spellings of Norwegian words) as they read in the PDF. Apps may add
# more with `register_labels`; anything else is shown with "_" as spaces and a capital first letter.
KEY_LABELS: dict[str, Any] = {
    "fra": _("Fra"),
    "til": _("Til"),
    "id": _("Id"),
    "oppfolging": _("Oppfølging"),
    "forlop": _("Forløp"),
    "fasehistorikk": _("Fasehistorikk"),
    "mal": _("Mål"),
    "delmal": _("Delmål"),
    "omrade": _("Område"),
    "omrader": _("Områder"),
    "levekarsomrade": _("Levekårsområde"),
    "motter": _("Møter"),
    "neste_mote": _("Neste møte"),
    "oppmote": _("Oppmøte"),
    "sporsmal": _("Spørsmål"),
    "skar": _("Skår"),
    "paminnelser": _("Påminnelser"),
    "dette_bor_unngas": _("Dette bør unngås"),
    "dette_gjor_jeg_selv": _("Dette gjør jeg selv"),
    "samtykke_til_a_dele": _("Samtykke til å dele"),
    "navn_pa_instansen": _("Navn på instansen"),
    "tatt_av_tavla": _("Tatt av tavla"),
    "fact_tavle": _("FACT-tavle"),
    "utenfor_forventet_band": _("Utenfor forventet bånd"),
    "ventetid_dager": _("Ventetid (dager)"),
    "epost": _("E-post"),
    "kartlegginger": _("Kartlegginger"),
}
KEY_LABELS.update({key: label for key, label in PERSON_LABELS.items() if key != "id"})


def register_labels(labels: dict[str, Any]) -> None:
    """Norwegian labels for the keys an app's exporter uses (read by the innsyn PDF)."""
    KEY_LABELS.update(labels)


def label_for(key: str) -> str:
    label = KEY_LABELS.get(key)
    if label is not None:
        return str(label)
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def person_rows(section: dict[str, Any]) -> list[tuple[str, Any]]:
    """The "person" section as (Norwegian label, value) pairs for the PDF; unknown keys keep their name."""
    return [(str(PERSON_LABELS.get(key, key)), value) for key, value in section.items()]


def register_exporter(name: str, exporter: Exporter) -> None:
    """Add a section to the innsyn export (e.g. "oppfolging" from the followup app)."""
    _EXPORTERS[name] = exporter


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def access_log_rows(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "tidspunkt": _value(row.at),
            "hvem": row.user_display or row.username,
            "brukernavn": row.username,
            "organisasjon": row.organisation_name,
            "rolle": row.role_label,
            "hva": row.what,
            "formal": row.purpose,
            "bryt_glasset": row.break_glass,
        }
        for row in AccessLog.objects.filter(person_id=person.pk).order_by("at", "pk")
    ]


def change_row(record: ChangeLog) -> dict[str, Any]:
    """One change as stored (`hva`, `handling`, `endringer`) and as read (`beskrivelse`,
    `endringer_tekst`)."""
    entry = describe(record)
    return {
        "tidspunkt": _value(record.at),
        "hvem": record.username,
        "hva": record.object_type,
        "handling": record.action,
        "endringer": record.changes,
        "beskrivelse": entry.title,
        "endringer_tekst": [line.text for line in entry.lines],
    }


def export_person(person: Person) -> dict[str, Any]:
    """The whole record as a JSON-ready dict (Norwegian section names)."""
    from mestring.people.models import BreakGlassGrant

    data: dict[str, Any] = {
        "eksportert": _value(timezone.now()),
        "person": {
            "id": person.pk,
            "fornavn": person.first_name,
            "etternavn": person.last_name,
            "fodselsnummer": person.national_id or None,
            "fodselsdato": _value(person.birth_date),
            "fodselsar": person.year_of_birth,
            "kjonn": person.get_gender_display(),
            "telefon": person.phone,
            "epost": person.email,
            "adresse": person.address,
            "foretrukne_motesteder": person.preferred_meeting_places,
            "trenger_tolk": person.interpreter_needed,
            "tolk_sprak": person.interpreter_language,
            "fortrolig_adresse": person.confidential_address,
            "bostedskommune": person.organisation.name,
            "barn_som_parorende": person.get_children_routine_display(),
            "barn_oppfolging_tilbudt": person.children_followup_offered,
            "status": person.get_status_display(),
            "oppfolging_avsluttet": _value(person.ended_at),
            "registrert": _value(person.created_at),
            "sist_endret": _value(person.updated_at),
        },
        "tjenester": [
            {"enhet": r.unit.name, "fra": _value(r.valid_from), "til": _value(r.valid_to)}
            for r in person.service_relations.select_related("unit")
        ],
        "team": [
            {
                "ansatt": str(m.user),
                "rolle": m.role_title,
                "fra": _value(m.valid_from),
                "til": _value(m.valid_to),
            }
            for m in person.care_team.select_related("user")
        ],
        "samtykker": [
            {
                "mottaker": c.get_recipient_display(),
                "mottaker_utdypet": c.recipient_detail,
                "hva_kan_deles": c.scope,
                "gitt": c.given,
                "dato": _value(c.decided_on),
                "registrert_av": str(c.recorded_by) if c.recorded_by else None,
            }
            for c in person.consents.select_related("recorded_by")
        ],
        "delinger": [
            {
                "mottaker": d.get_recipient_display(),
                "mottaker_utdypet": d.recipient_detail,
                "hva": d.what,
                "tidspunkt": _value(d.shared_at),
                "delt_av": str(d.shared_by) if d.shared_by else None,
            }
            for d in person.disclosures.select_related("shared_by")
        ],
        "parorende": [
            {
                "navn": r.name,
                "relasjon": r.get_relation_display(),
                "fodselsar": r.birth_year,
                "telefon": r.phone,
                "naermeste_parorende": r.is_next_of_kin,
                "oppfolging_tilbudt": r.followup_offered,
                "merknad": r.notes,
            }
            for r in person.relatives.all()
        ],
        "bryt_glasset": [
            {
                "ansatt": str(g.user),
                "organisasjon": g.organisation.name,
                "begrunnelse": g.reason,
                "fra": _value(g.granted_at),
                "til": _value(g.expires_at),
            }
            for g in BreakGlassGrant.objects.filter(person=person).select_related("user", "organisation")
        ],
        "endringer": [change_row(c) for c in ChangeLog.objects.filter(person=person).order_by("at", "pk")],
        "tilgangslogg": access_log_rows(person),
    }
    for name, exporter in sorted(_EXPORTERS.items()):
        data[name] = exporter(person)
    return data
