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

from mestring.audit.history import describe
from mestring.audit.models import AccessLog, ChangeLog

if TYPE_CHECKING:
    from mestring.people.models import Person

Exporter = Callable[["Person"], Any]
_EXPORTERS: dict[str, Exporter] = {}


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
                "hva": d.what,
                "tidspunkt": _value(d.shared_at),
                "delt_av": str(d.shared_by) if d.shared_by else None,
            }
            for d in person.disclosures.select_related("shared_by")
        ],
        "parorende": [
            {
                "name": r.name,
                "relation": r.get_relation_display(),
                "birth_year": r.birth_year,
                "phone": r.phone,
                "is_next_of_kin": r.is_next_of_kin,
                "followup_offered": r.followup_offered,
                "notes": r.notes,
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
