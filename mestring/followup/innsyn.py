"""Everything the follow-up app stores about a person, for innsyn (GDPR art. 15).

Registered as the section "oppfolging" by `FollowupConfig.ready()` through
`mestring.audit.innsyn.register_exporter`. Values are JSON-ready: strings, numbers, booleans, None, lists and
dicts; dates and times as ISO strings. Staff appear by name (the person has a right to know who recorded
what); no keys, hashes or internal tokens are included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.followup.models import (
    Agency,
    BoardEntry,
    CareTeamMember,
    CrisisPlan,
    Decision,
    Episode,
    FeedbackScore,
    Goal,
    IndividualPlan,
    Measure,
    Meeting,
    PersonMapping,
    Reminder,
)
from mestring.mapping.areas import AREAS

if TYPE_CHECKING:
    from mestring.people.models import Person

SECTION = "oppfolging"

# How the keys of this section read in the innsyn PDF (`audit.innsyn.register_labels`, from apps.py). Keys
# shared with other sections (status, telefon, fra, til…) read the same everywhere.
LABELS: dict[str, Any] = {
    "oppfolging": _("Oppfølging"),
    # sections
    "forlop": _("Forløp"),
    "mal": _("Mål"),
    "kartlegginger": _("Kartlegginger"),
    "individuell_plan": _("Individuell plan"),
    "tiltak": _("Tiltak"),
    "ansvarsgruppe": _("Ansvarsgruppe"),
    "motter": _("Møter"),
    "kriseplan": _("Kriseplan"),
    "tilbakemeldinger": _("Tilbakemeldinger"),
    "fact_tavle": _("FACT-tavle"),
    "paminnelser": _("Påminnelser"),
    # shared
    "id": _("Id"),
    "status": _("Status"),
    "merknad": _("Merknad"),
    "registrert": _("Registrert"),
    "registrert_av": _("Registrert av"),
    "dato": _("Dato"),
    "enhet": _("Enhet"),
    "instans": _("Instans"),
    "ansvarlig": _("Ansvarlig"),
    "navn": _("Navn"),
    "rolle": _("Rolle"),
    "telefon": _("Telefon"),
    "epost": _("E-post"),
    "fra": _("Fra"),
    "til": _("Til"),
    "grunn": _("Grunn"),
    "versjon": _("Versjon"),
    "sist_endret": _("Sist endret"),
    "sist_endret_av": _("Sist endret av"),
    "koordinator": _("Koordinator"),
    # episodes and referrals
    "ansvarlig_kommune": _("Ansvarlig kommune"),
    "fase": _("Fase"),
    "startdato": _("Startdato"),
    "sluttdato": _("Sluttdato"),
    "enheter": _("Enheter som gir tjenester"),
    "koordinator_fra": _("Koordinator fra"),
    "fasehistorikk": _("Fasehistorikk"),
    "endret_av": _("Endret av"),
    "henvisninger": _("Henvisninger"),
    "retning": _("Retning"),
    "navn_pa_instansen": _("Navn på instansen"),
    "henvist_dato": _("Henvist dato"),
    "svar_dato": _("Svar dato"),
    "oppstart_dato": _("Oppstart dato"),
    "ventetid_dager": _("Ventetid (dager)"),
    # goals
    "delmal": _("Delmål"),
    "hovedmal": _("Hovedmål"),
    "levekarsomrade": _("Levekårsområde"),
    "vurderinger": _("Vurderinger"),
    "fremgang": _("Fremgang (1–5)"),
    "tro_pa_a_na_malet": _("Tro på å nå målet (1–5)"),
    "fornoyd_med_innsatsen": _("Fornøyd med innsatsen (1–5)"),
    # mappings
    "kartlagt_dato": _("Kartlagt dato"),
    "kartlagt_av": _("Kartlagt av"),
    "omrader": _("Områder"),
    "omrade": _("Område"),
    "vurdering": _("Vurdering"),
    # plan
    "personens_ressurser": _("Personens ressurser"),
    "personens_behov": _("Personens behov"),
    "deltakere": _("Hvem som deltar i arbeidet med planen"),
    "personen_har_deltatt": _("Personen har deltatt i arbeidet med planen"),
    "tidsperspektiv": _("Tidsperspektiv"),
    "neste_evaluering": _("Neste evaluering"),
    "samtykke_til_a_dele": _("Samtykke til å dele informasjon i ansvarsgruppen"),
    "samtykke_utdypet": _("Samtykke, utdypet"),
    "informert_om_rettigheter": _("Informert om rettigheter og plikter"),
    "takket_nei_dato": _("Takket nei dato"),
    "begrunnelse_for_nei": _("Personens begrunnelse for å takke nei"),
    "versjoner": _("Versjoner"),
    "nummer": _("Versjon nr."),
    "lagret": _("Lagret"),
    "lagret_av": _("Lagret av"),
    "hva_er_endret": _("Hva er endret"),
    "innhold": _("Innhold"),
    # measures
    "ansvarlig_ansatt": _("Ansvarlig ansatt"),
    "omfang": _("Omfang"),
    "hvordan": _("Hvordan det gjennomføres"),
    "start": _("Start"),
    "slutt": _("Slutt / evalueres"),
    # care team and meetings
    "ansatt_i_kommunen": _("Ansatt i kommunen"),
    "samtykke_til_informasjon": _("Personen har samtykket til at denne får informasjon"),
    "tidspunkt": _("Tidspunkt"),
    "sted": _("Sted"),
    "saksliste": _("Saksliste"),
    "referat": _("Referat"),
    "neste_mote": _("Neste møte"),
    "oppmote": _("Oppmøte"),
    "deltaker": _("Deltaker"),
    "til_stede": _("Til stede"),
    "beslutninger": _("Beslutninger"),
    "beslutning": _("Beslutning"),
    "handling": _("Handling"),
    # crisis plan
    "varselsignaler": _("Varselsignaler"),
    "dette_hjelper": _("Dette hjelper meg"),
    "dette_gjor_jeg_selv": _("Dette gjør jeg selv"),
    "dette_bor_unngas": _("Dette hjelper ikke / bør unngås"),
    "hvem_jeg_kan_ringe": _("Hvem jeg kan ringe"),
    # feedback
    "skjema": _("Skjema"),
    "svar": _("Svar"),
    "sporsmal": _("Spørsmål"),
    "skar": _("Skår"),
    "utenfor_forventet_band": _("Utenfor forventet bånd"),
    # FACT board and reminders
    "lagt_til": _("Lagt til"),
    "lagt_til_av": _("Lagt til av"),
    "tatt_av_tavla": _("Tatt av tavla"),
    "hva": _("Hva"),
    "forfalt": _("Forfalt"),
    "mottaker": _("Mottaker"),
    "opprettet": _("Opprettet"),
    "e_post_sendt": _("E-post sendt"),
    "ferdig": _("Ferdig"),
}


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    return value.isoformat()


def _name(user: Any) -> str | None:
    return str(user) if user is not None else None


def _episodes(person: Person) -> list[dict[str, Any]]:
    rows = (
        Episode.objects.filter(person=person)
        .select_related("organisation", "coordinator", "created_by")
        .prefetch_related("units", "phase_changes__changed_by", "referrals__created_by")
        .order_by("started_on", "pk")
    )
    return [
        {
            "id": e.pk,
            "ansvarlig_kommune": e.organisation.name,
            "fase": e.get_phase_display(),
            "startdato": _iso(e.started_on),
            "sluttdato": _iso(e.ended_on),
            "enheter": sorted(u.name for u in e.units.all()),
            "koordinator": _name(e.coordinator),
            "koordinator_fra": _iso(e.coordinator_since),
            "merknad": e.note,
            "registrert": _iso(e.created_at),
            "registrert_av": _name(e.created_by),
            "fasehistorikk": [
                {"fase": c.get_phase_display(), "dato": _iso(c.changed_on), "endret_av": _name(c.changed_by)}
                for c in e.phase_changes.all()
            ],
            "henvisninger": [
                {
                    "retning": r.get_direction_display(),
                    "instans": r.get_agency_display(),
                    "navn_pa_instansen": r.agency_name,
                    "grunn": r.reason,
                    "status": r.get_status_display(),
                    "henvist_dato": _iso(r.referred_on),
                    "svar_dato": _iso(r.answered_on),
                    "oppstart_dato": _iso(r.started_on),
                    "ventetid_dager": r.waiting_days(),
                    "registrert_av": _name(r.created_by),
                }
                for r in sorted(e.referrals.all(), key=lambda r: (r.referred_on, r.pk))
            ],
        }
        for e in rows
    ]


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "mal": goal.text,
        "levekarsomrade": goal.get_area_display() if goal.area else "",
        "status": goal.get_status_display(),
        "registrert": _iso(goal.created_on),
        "registrert_av": _name(goal.created_by),
        "vurderinger": [
            {
                "dato": _iso(r.rated_on),
                "fremgang": r.progress,
                "tro_pa_a_na_malet": r.confidence,
                "fornoyd_med_innsatsen": r.satisfaction,
                "registrert_av": _name(r.recorded_by),
            }
            for r in goal.ratings.all()
        ],
    }


def _goals(person: Person) -> list[dict[str, Any]]:
    goals = list(
        Goal.objects.filter(person=person)
        .select_related("created_by")
        .prefetch_related("ratings__recorded_by")
        .order_by("created_on", "pk")
    )
    subs: dict[int, list[Goal]] = {}
    for goal in goals:
        if goal.parent_id is not None:
            subs.setdefault(goal.parent_id, []).append(goal)
    main_ids = {g.pk for g in goals if g.parent_id is None}
    result = [
        {**_goal(g), "delmal": [_goal(s) for s in subs.get(g.pk, [])]} for g in goals if g.pk in main_ids
    ]
    # A sub-goal whose main goal is somehow missing is still the person's data: list it on its own.
    result += [_goal(g) for g in goals if g.parent_id is not None and g.parent_id not in main_ids]
    return result


def _mappings(person: Person) -> list[dict[str, Any]]:
    rows = (
        PersonMapping.objects.filter(person=person)
        .select_related("unit", "assessed_by")
        .prefetch_related("areas")
        .order_by("assessed_on", "pk")
    )
    return [
        {
            "kartlagt_dato": _iso(m.assessed_on),
            "enhet": m.unit.name if m.unit else None,
            "kartlagt_av": _name(m.assessed_by),
            "merknad": m.note,
            "omrader": [
                {"omrade": a.get_area_display(), "vurdering": a.get_rating_display(), "merknad": a.note}
                for a in m.areas.all()
            ],
        }
        for m in rows
    ]


# A plan version's snapshot (`services.plan_snapshot`) keeps English keys and choice codes: the diff and the
# "unchanged" check compare stored snapshots, so the stored form stays. The export renames the keys and shows
# the codes' labels; a key not listed here (an older snapshot's) is kept as it is.
SNAPSHOT_KEYS = {
    "status": "status",
    "resources": "personens_ressurser",
    "needs": "personens_behov",
    "participants": "deltakere",
    "person_participated": "personen_har_deltatt",
    "time_perspective": "tidsperspektiv",
    "next_review_on": "neste_evaluering",
    "consent_to_share": "samtykke_til_a_dele",
    "consent_note": "samtykke_utdypet",
    "rights_informed": "informert_om_rettigheter",
    "declined_on": "takket_nei_dato",
    "decline_reason": "begrunnelse_for_nei",
    "coordinator": "koordinator",
    "goals": "mal",
    "measures": "tiltak",
    "care_team": "ansvarsgruppe",
}
SNAPSHOT_GOAL_KEYS = {
    "id": "id",
    "text": "mal",
    "parent": "hovedmal",
    "status": "status",
    "area": "levekarsomrade",
}
SNAPSHOT_MEASURE_KEYS = {
    "id": "id",
    "title": "tiltak",
    "goal": "mal",
    "responsible": "ansvarlig",
    "extent": "omfang",
    "how": "hvordan",
    "start_on": "start",
    "end_on": "slutt",
    "status": "status",
}
SNAPSHOT_TEAM_KEYS = {"id": "id", "name": "navn", "role": "rolle", "agency": "instans"}
DECISION_ACTIONS: dict[str, Any] = {"created": _("tiltak opprettet"), "changed": _("tiltak endret")}


def _label(choices: Any, value: Any) -> Any:
    return str(dict(choices).get(value, value)) if isinstance(value, str) and value else value


def _rename(row: Any, keys: dict[str, str], values: dict[str, Callable[[Any], Any]]) -> Any:
    if not isinstance(row, dict):
        return row
    return {keys.get(k, k): values[k](v) if k in values else v for k, v in row.items()}


def plan_snapshot_export(snapshot: Any) -> Any:
    """A stored plan snapshot with Norwegian keys, choice labels instead of codes and goals by their text."""
    if not isinstance(snapshot, dict):
        return snapshot
    goals: list[Any] = snapshot["goals"] if isinstance(snapshot.get("goals"), list) else []
    goal_text = {g.get("id"): g.get("text") for g in goals if isinstance(g, dict)}

    def goal_name(goal_id: Any) -> Any:
        return goal_text.get(goal_id, goal_id)

    goal_values: dict[str, Callable[[Any], Any]] = {
        "parent": goal_name,
        "status": lambda v: _label(Goal.Status.choices, v),
        "area": lambda v: _label(AREAS, v),
    }
    measure_values: dict[str, Callable[[Any], Any]] = {
        "goal": goal_name,
        "status": lambda v: _label(Measure.Status.choices, v),
    }
    team_values: dict[str, Callable[[Any], Any]] = {"agency": lambda v: _label(Agency.choices, v)}
    lists: dict[str, tuple[dict[str, str], dict[str, Callable[[Any], Any]]]] = {
        "goals": (SNAPSHOT_GOAL_KEYS, goal_values),
        "measures": (SNAPSHOT_MEASURE_KEYS, measure_values),
        "care_team": (SNAPSHOT_TEAM_KEYS, team_values),
    }
    result: dict[Any, Any] = {}
    for key, value in snapshot.items():
        if key in lists and isinstance(value, list):
            keys, values = lists[key]
            value = [_rename(row, keys, values) for row in value]
        elif key == "status":
            value = _label(IndividualPlan.Status.choices, value)
        result[SNAPSHOT_KEYS.get(key, key)] = value
    return result


def _plan(person: Person) -> dict[str, Any] | None:
    plan = IndividualPlan.objects.filter(person=person).select_related("updated_by").first()
    if plan is None:
        return None
    return {
        "status": plan.get_status_display(),
        "personens_ressurser": plan.resources,
        "personens_behov": plan.needs,
        "deltakere": plan.participants,
        "personen_har_deltatt": plan.person_participated,
        "tidsperspektiv": plan.time_perspective,
        "neste_evaluering": _iso(plan.next_review_on),
        "samtykke_til_a_dele": plan.consent_to_share,
        "samtykke_utdypet": plan.consent_note,
        "informert_om_rettigheter": plan.rights_informed,
        "takket_nei_dato": _iso(plan.declined_on),
        "begrunnelse_for_nei": plan.decline_reason,
        "versjon": plan.version,
        "sist_endret": _iso(plan.updated_at),
        "sist_endret_av": _name(plan.updated_by),
        # every saved version with the full snapshot (plan text, goals, measures, care team at the time)
        "versjoner": [
            {
                "nummer": v.number,
                "lagret": _iso(v.saved_at),
                "lagret_av": _name(v.saved_by),
                "hva_er_endret": v.change_note,
                "innhold": plan_snapshot_export(v.snapshot),
            }
            for v in plan.versions.select_related("saved_by").order_by("number")
        ],
    }


def _measures(person: Person) -> list[dict[str, Any]]:
    rows = (
        Measure.objects.filter(person=person)
        .select_related("goal", "responsible_user", "created_by")
        .order_by("start_on", "pk")
    )
    return [
        {
            "id": m.pk,
            "tiltak": m.title,
            "ansvarlig": m.responsible,
            "ansvarlig_ansatt": _name(m.responsible_user),
            "mal": m.goal.text if m.goal else None,
            "omfang": m.extent,
            "hvordan": m.how,
            "start": _iso(m.start_on),
            "slutt": _iso(m.end_on),
            "status": m.get_status_display(),
            "registrert": _iso(m.created_at),
            "registrert_av": _name(m.created_by),
        }
        for m in rows
    ]


def _care_team(person: Person) -> list[dict[str, Any]]:
    rows = (
        CareTeamMember.objects.filter(person=person).select_related("created_by").order_by("valid_from", "pk")
    )
    return [
        {
            "navn": m.name,
            "ansatt_i_kommunen": m.is_internal,
            "instans": m.get_agency_display(),
            "rolle": m.role_title,
            "telefon": m.phone,
            "epost": m.email,
            "samtykke_til_informasjon": m.consent_to_share,
            "fra": _iso(m.valid_from),
            "til": _iso(m.valid_to),
            "registrert_av": _name(m.created_by),
        }
        for m in rows
    ]


def _meetings(person: Person) -> list[dict[str, Any]]:
    rows = (
        Meeting.objects.filter(person=person)
        .select_related("created_by")
        .prefetch_related(
            "attendance__member",
            Prefetch("decisions", queryset=Decision.objects.select_related("measure").order_by("pk")),
        )
        .order_by("starts_at", "pk")
    )
    return [
        {
            "tidspunkt": _iso(m.starts_at),
            "sted": m.place,
            "status": m.get_status_display(),
            "saksliste": m.agenda,
            "referat": m.minutes,
            "neste_mote": _iso(m.next_meeting_on),
            "oppmote": [{"deltaker": a.member.name, "til_stede": a.present} for a in m.attendance.all()],
            "beslutninger": [
                {
                    "beslutning": d.text,
                    "tiltak": d.measure.title if d.measure else None,
                    "handling": str(DECISION_ACTIONS.get(d.action, d.action)),
                }
                for d in m.decisions.all()
            ],
            "registrert_av": _name(m.created_by),
        }
        for m in rows
    ]


def _crisis_plan(person: Person) -> dict[str, Any] | None:
    crisis = CrisisPlan.objects.filter(person=person).select_related("updated_by").first()
    if crisis is None:
        return None
    return {
        "varselsignaler": crisis.warning_signs,
        "dette_hjelper": crisis.what_helps,
        "dette_gjor_jeg_selv": crisis.what_i_do,
        "dette_bor_unngas": crisis.avoid,
        "hvem_jeg_kan_ringe": crisis.contacts,
        "versjon": crisis.version,
        "sist_endret": _iso(crisis.updated_at),
        "sist_endret_av": _name(crisis.updated_by),
    }


def _feedback(person: Person) -> list[dict[str, Any]]:
    rows = (
        FeedbackScore.objects.filter(person=person)
        .select_related("instrument", "recorded_by")
        .prefetch_related("instrument__items")
        .order_by("answered_on", "pk")
    )
    result = []
    for s in rows:
        items = {str(i.pk): i.text for i in s.instrument.items.all()}
        answers = s.answers if isinstance(s.answers, dict) else {}
        result.append(
            {
                "skjema": s.instrument.name,
                "dato": _iso(s.answered_on),
                "svar": [{"sporsmal": items.get(k, k), "svar": v} for k, v in answers.items()],
                "skar": s.score,
                "utenfor_forventet_band": s.off_track,
                "merknad": s.note,
                "registrert_av": _name(s.recorded_by),
            }
        )
    return result


def _board(person: Person) -> list[dict[str, Any]]:
    rows = (
        BoardEntry.objects.filter(person=person)
        .select_related("unit", "responsible", "added_by")
        .order_by("added_on", "pk")
    )
    return [
        {
            "enhet": b.unit.name,
            "grunn": b.reason,
            "ansvarlig": _name(b.responsible),
            "lagt_til": _iso(b.added_on),
            "lagt_til_av": _name(b.added_by),
            "tatt_av_tavla": _iso(b.removed_at),
        }
        for b in rows
    ]


def _reminders(person: Person) -> list[dict[str, Any]]:
    rows = (
        Reminder.objects.filter(person=person).select_related("measure", "recipient").order_by("due_on", "pk")
    )
    return [
        {
            "hva": r.get_kind_display(),
            "tiltak": r.measure.title if r.measure else None,
            "forfalt": _iso(r.due_on),
            "mottaker": _name(r.recipient),
            "opprettet": _iso(r.created_at),
            "e_post_sendt": _iso(r.emailed_at),
            "ferdig": _iso(r.done_at),
        }
        for r in rows
    ]


def export_followup(person: Person) -> dict[str, Any]:
    """The follow-up section of the innsyn export."""
    return {
        "forlop": _episodes(person),
        "mal": _goals(person),
        "kartlegginger": _mappings(person),
        "individuell_plan": _plan(person),
        "tiltak": _measures(person),
        "ansvarsgruppe": _care_team(person),
        "motter": _meetings(person),
        "kriseplan": _crisis_plan(person),
        "tilbakemeldinger": _feedback(person),
        "fact_tavle": _board(person),
        "paminnelser": _reminders(person),
    }
