"""Every write to person records. Keyword-only, typed, one transaction each, change history written.

`actor` is the acting `Membership` (or, for system jobs and demo loading, a `User` or None). Services check
invariants and raise `django.core.exceptions.ValidationError` with Norwegian messages keyed by field; views
and the API turn them into form errors / 400. Access (tjenstlig behov) is checked by the caller through
`mestring.people.access.access_person` before calling a service for an existing person.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mestring.accounts.models import Membership, User
from mestring.accounts.roles import Perm
from mestring.audit.services import REDACTED, record_change
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import municipality_ids_in_scope
from mestring.people import crypto, fnr
from mestring.people.models import (
    BreakGlassGrant,
    CareTeamMembership,
    ChildrenRoutine,
    Consent,
    ConsentRecipient,
    Disclosure,
    Gender,
    Person,
    Relative,
    ServiceRelation,
)

Actor = Membership | User | None

# Fields a person_create / person_update may set (national_id is handled separately: encrypted).
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "birth_year",
    "gender",
    "phone",
    "email",
    "address",
    "preferred_meeting_places",
    "interpreter_needed",
    "interpreter_language",
    "confidential_address",
)
SENSITIVE_FIELDS = {"national_id"}


class ConcurrentEditError(ValidationError):
    """Someone saved the record after this edit started. Nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Noen andre har lagret endringer i denne personen mens du redigerte. Ingenting av det du "
                "skrev er lagret. Last siden på nytt for å se de nye opplysningene, "
                "og gjør endringene dine igjen."
            ),
            code="concurrent_edit",
        )


class ConsentMissingError(ValidationError):
    """Sharing refused: no valid consent for the recipient."""


def _user(actor: Actor) -> User | None:
    if isinstance(actor, Membership):
        return actor.user
    return actor


def _today() -> date:
    return timezone.localdate()


def _clean_person_fields(data: dict[str, Any], *, current_year: int) -> dict[str, Any]:
    """Normalise and validate editable fields; ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if key not in EDITABLE_FIELDS:
            raise TypeError(f"unknown person field {key}")
        if isinstance(value, str):
            value = value.strip()
        cleaned[key] = value
    for key in ("first_name", "last_name"):
        if key in cleaned and not cleaned[key]:
            errors.setdefault(key, []).append(_("Skriv inn navnet."))
        if key in cleaned and len(cleaned[key]) > 100:
            errors.setdefault(key, []).append(_("Navnet kan ikke være lengre enn 100 tegn."))
    if cleaned.get("birth_year") not in (None, ""):
        try:
            year = int(cleaned["birth_year"])
        except (TypeError, ValueError):
            errors.setdefault("birth_year", []).append(
                _("Fødselsåret må være et årstall, for eksempel 1984.")
            )
        else:
            if not 1900 <= year <= current_year:
                errors.setdefault("birth_year", []).append(
                    _("Fødselsåret må være mellom 1900 og %(y)d.") % {"y": current_year}
                )
            cleaned["birth_year"] = year
    elif "birth_year" in cleaned:
        cleaned["birth_year"] = None
    if cleaned.get("gender") and cleaned["gender"] not in Gender.values:
        errors.setdefault("gender", []).append(_("Velg et av alternativene."))
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors.setdefault("email", []).append(_("Skriv inn en gyldig e-postadresse."))
    for key, limit in (("phone", 30), ("address", 300), ("interpreter_language", 100)):
        if len(str(cleaned.get(key) or "")) > limit:
            errors.setdefault(key, []).append(_("Teksten er for lang (høyst %(n)d tegn).") % {"n": limit})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _national_id_fields(raw: str, *, exclude_pk: int | None = None) -> dict[str, Any]:
    """Validated id → encrypted value, lookup hash, derived birth date and gender; duplicate check."""
    try:
        number = fnr.validate_fodselsnummer(raw)
    except ValidationError as exc:
        raise ValidationError({"national_id": exc.messages}) from None
    digest = crypto.lookup_hash(number)
    duplicates = Person.objects.filter(national_id_hmac=digest)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise ValidationError(
            {
                "national_id": [
                    _(
                        "En person med dette fødselsnummeret er allerede registrert. Søk opp personen, eller "
                        "kontakt enheten som følger personen opp."
                    )
                ]
            },
            code="duplicate",
        )
    birth = fnr.birth_date_of(number)
    return {
        "national_id_encrypted": crypto.encrypt(number),
        "national_id_hmac": digest,
        "birth_date": birth,
        "birth_year": birth.year,
        "gender": fnr.gender_of(number),
    }


def _check_unit(unit: Organisation, scope: set[int] | None) -> None:
    if unit.kind != Organisation.Kind.UNIT:
        raise ValidationError({"unit": [_("Velg en tjeneste/enhet.")]})
    if not unit.is_active:
        raise ValidationError({"unit": [_("Enheten er lagt ned.")]})
    if scope is not None and unit.parent_id not in scope:
        raise ValidationError({"unit": [_("Enheten hører ikke til en kommune du arbeider i.")]})


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    national_id: str = "",
    unit: Organisation | None = None,
    add_actor_to_care_team: bool = True,
    care_team_role_title: str = "",
    **fields: Any,
) -> Person:
    """Register a person in `organisation` (municipality). The serving `unit` defaults to the actor's unit.

    With a national id, birth date, birth year and gender are derived from it; without one, `birth_year` is
    required. The acting user joins the care team so the creator can read what they wrote.
    """
    membership = actor if isinstance(actor, Membership) else None
    user = _user(actor)
    if organisation.kind != Organisation.Kind.MUNICIPALITY:
        raise ValidationError({"organisation": [_("Velg en kommune.")]})
    scope: set[int] | None = None
    if membership is not None:
        if not membership.can(Perm.PERSON_EDIT):
            raise ValidationError(_("Rollen din kan ikke registrere personer."))
        scope = municipality_ids_in_scope(membership.organisation, person_work=True)
        if organisation.pk not in scope:
            raise ValidationError(
                {"organisation": [_("Du kan bare registrere personer i kommuner du arbeider i.")]}
            )
        if unit is None and membership.organisation.kind == Organisation.Kind.UNIT:
            unit = membership.organisation
    if unit is not None:
        _check_unit(unit, scope)
    values = _clean_person_fields(
        {"first_name": first_name, "last_name": last_name, **fields}, current_year=_today().year
    )
    if national_id and national_id.strip():
        values.update(_national_id_fields(national_id))
    elif not values.get("birth_year"):
        raise ValidationError(
            {
                "birth_year": [
                    _("Uten fødselsnummer må fødselsåret fylles inn. Fødselsnummeret kan legges til senere.")
                ]
            }
        )
    try:
        with transaction.atomic():
            person = Person.objects.create(organisation=organisation, created_by=user, **values)
    except IntegrityError:
        raise ValidationError(
            {"national_id": [_("En person med dette fødselsnummeret er allerede registrert.")]}
        ) from None
    record_change(
        user=user,
        person=person,
        obj=person,
        action="created",
        changes=_created_changes(values),
    )
    if unit is not None:
        service_relation_add(actor=actor, person=person, unit=unit)
    if add_actor_to_care_team and user is not None:
        care_team_member_add(actor=actor, person=person, user=user, role_title=care_team_role_title)
    return person


def _created_changes(values: dict[str, Any]) -> dict[str, list[Any]]:
    """A new record's values for the change log; the national id only as "[endret]", once."""
    changes = {k: [None, _json(v)] for k, v in values.items() if not k.startswith("national_id")}
    if any(k.startswith("national_id") for k in values):
        changes["national_id"] = [None, REDACTED]
    return changes


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Organisation):
        return value.name
    return value


@transaction.atomic
def person_update(*, actor: Actor, person: Person, expected_version: int, **changes: Any) -> Person:
    """Change editable fields (and `national_id`: link or correct) with optimistic locking.

    `expected_version` is the `version` the editor loaded. When someone else saved in between, raises
    `ConcurrentEditError` and writes nothing. Returns the fresh person.
    """
    user = _user(actor)
    national_id = changes.pop("national_id", None)
    values = _clean_person_fields(changes, current_year=_today().year)
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != expected_version:
        raise ConcurrentEditError()
    if national_id is not None and national_id.strip():
        number = fnr.normalise(national_id)
        if not current.has_national_id or crypto.lookup_hash(number) != current.national_id_hmac:
            values.update(_national_id_fields(national_id, exclude_pk=current.pk))
    diff: dict[str, list[Any]] = {}
    for key, value in values.items():
        old = getattr(current, key)
        if old != value:
            if key.startswith("national_id"):
                diff["national_id"] = [REDACTED if current.has_national_id else None, REDACTED]
            else:
                diff[key] = [_json(old), _json(value)]
    if not diff:
        return current
    values = {k: v for k, v in values.items() if k.startswith("national_id") or k in diff}
    updated = Person.objects.filter(pk=current.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:  # pragma: no cover - select_for_update makes this a belt and braces check
        raise ConcurrentEditError()
    current.refresh_from_db()
    record_change(user=user, person=current, obj=current, action="changed", changes=diff)
    return current


@transaction.atomic
def person_end(*, actor: Actor, person: Person, expected_version: int | None = None) -> Person:
    """End follow-up: the record is kept read-only for the team and enters the retention clock."""
    current = Person.objects.select_for_update().get(pk=person.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError()
    if current.status != Person.Status.ACTIVE:
        raise ValidationError(_("Oppfølgingen er allerede avsluttet."))
    now = timezone.now()
    Person.objects.filter(pk=current.pk).update(
        status=Person.Status.ENDED, ended_at=now, version=F("version") + 1, updated_at=now
    )
    current.refresh_from_db()
    record_change(
        user=_user(actor),
        person=current,
        obj=current,
        action="ended",
        changes={"status": ["active", "ended"]},
    )
    return current


@transaction.atomic
def person_reopen(*, actor: Actor, person: Person) -> Person:
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.status != Person.Status.ENDED:
        raise ValidationError(_("Oppfølgingen er ikke avsluttet."))
    Person.objects.filter(pk=current.pk).update(
        status=Person.Status.ACTIVE, ended_at=None, version=F("version") + 1, updated_at=timezone.now()
    )
    current.refresh_from_db()
    record_change(
        user=_user(actor),
        person=current,
        obj=current,
        action="reopened",
        changes={"status": ["ended", "active"]},
    )
    return current


def _bump(person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=timezone.now())


@transaction.atomic
def service_relation_add(
    *,
    actor: Actor,
    person: Person,
    unit: Organisation,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> ServiceRelation:
    """The unit serves the person from `valid_from` (default today): its staff get tjenstlig behov."""
    _check_unit(unit, None)
    start = valid_from or _today()
    if valid_to is not None and valid_to < start:
        raise ValidationError({"valid_to": [_("Sluttdatoen kan ikke være før startdatoen.")]})
    existing = ServiceRelation.objects.active(start).filter(person=person, unit=unit).first()
    if existing is not None:
        return existing
    relation = ServiceRelation.objects.create(
        person=person, unit=unit, valid_from=start, valid_to=valid_to, created_by=_user(actor)
    )
    record_change(
        user=_user(actor), person=person, obj=relation, action="created", changes={"unit": [None, unit.name]}
    )
    return relation


@transaction.atomic
def service_relation_end(
    *, actor: Actor, relation: ServiceRelation, valid_to: date | None = None
) -> ServiceRelation:
    """The unit stops serving the person. `valid_to` is the last day (inclusive); by default yesterday, so the
    unit's access ends now (a relation that began today ends today)."""
    end = valid_to or max(_today() - timedelta(days=1), relation.valid_from)
    if end < relation.valid_from:
        raise ValidationError({"valid_to": [_("Sluttdatoen kan ikke være før startdatoen.")]})
    old = relation.valid_to
    relation.valid_to = end
    relation.save(update_fields=["valid_to"])
    record_change(
        user=_user(actor),
        person=relation.person,
        obj=relation,
        action="ended",
        changes={"valid_to": [_json(old), end.isoformat()]},
    )
    return relation


def user_can_work_with_persons(user: User) -> bool:
    return any(m.can(Perm.PERSON_VIEW) for m in Membership.objects.active().filter(user=user))


@transaction.atomic
def care_team_member_add(
    *,
    actor: Actor,
    person: Person,
    user: User,
    role_title: str = "",
    valid_from: date | None = None,
) -> CareTeamMembership:
    """Put an internal staff member on the care team (idempotent while active). They get tjenstlig behov."""
    if not user_can_work_with_persons(user):
        raise ValidationError(
            {"user": [_("Brukeren har ingen rolle som gir tilgang til personopplysninger.")]}
        )
    start = valid_from or _today()
    existing = CareTeamMembership.objects.active(start).filter(person=person, user=user).first()
    if existing is not None:
        if role_title and existing.role_title != role_title:
            old = existing.role_title
            existing.role_title = role_title.strip()[:200]
            existing.save(update_fields=["role_title"])
            record_change(
                user=_user(actor),
                person=person,
                obj=existing,
                action="changed",
                changes={"role_title": [old, existing.role_title]},
            )
        return existing
    member = CareTeamMembership.objects.create(
        person=person,
        user=user,
        role_title=role_title.strip()[:200],
        valid_from=start,
        created_by=_user(actor),
    )
    record_change(
        user=_user(actor),
        person=person,
        obj=member,
        action="created",
        changes={"user": [None, str(user)], "role_title": [None, member.role_title]},
    )
    return member


@transaction.atomic
def care_team_member_end(*, actor: Actor, person: Person, user: User, valid_to: date | None = None) -> int:
    """End the user's active care-team membership(s) for the person.

    `valid_to` is the last day on the team (inclusive); by default yesterday, so access ends now (a
    membership that began today ends today).
    """
    end = valid_to or (_today() - timedelta(days=1))
    ended = 0
    for member in CareTeamMembership.objects.active().filter(person=person, user=user):
        member.valid_to = max(end, member.valid_from)
        member.save(update_fields=["valid_to"])
        record_change(
            user=_user(actor),
            person=person,
            obj=member,
            action="ended",
            changes={"user": [str(user), None], "valid_to": [None, member.valid_to.isoformat()]},
        )
        ended += 1
    return ended


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    person: Person,
    recipient: str,
    given: bool,
    scope: str = "",
    recipient_detail: str = "",
    decided_on: date | None = None,
) -> Consent:
    """Record that the person gave or withdrew consent to share with `recipient`."""
    errors: dict[str, list[str]] = {}
    if recipient not in ConsentRecipient.values:
        errors["recipient"] = [_("Velg en mottaker fra listen.")]
    if recipient == ConsentRecipient.OTHER and not recipient_detail.strip():
        errors["recipient_detail"] = [_("Beskriv hvem mottakeren er.")]
    day = decided_on or _today()
    if day > _today():
        errors["decided_on"] = [_("Datoen kan ikke være i fremtiden.")]
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=person,
        recipient=recipient,
        recipient_detail=recipient_detail.strip()[:200],
        scope=scope.strip()[:500],
        given=given,
        decided_on=day,
        recorded_by=_user(actor),
    )
    record_change(
        user=_user(actor),
        person=person,
        obj=consent,
        action="created",
        changes={"recipient": [None, recipient], "given": [None, given], "scope": [None, consent.scope]},
    )
    return consent


def same_other_recipient(a: str, b: str) -> bool:
    """Two descriptions of an "other" recipient name the same party (case and spacing ignored)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def current_consent(person: Person, recipient: str, recipient_detail: str = "") -> Consent | None:
    """The deciding consent for `recipient`. For "other" recipients each described party has its own
    consent: a consent to one is never a consent to another."""
    rows = Consent.objects.filter(person=person, recipient=recipient).order_by(
        "-decided_on", "-recorded_at", "-pk"
    )
    if recipient != ConsentRecipient.OTHER:
        return rows.first()
    return next((c for c in rows if same_other_recipient(c.recipient_detail, recipient_detail)), None)


@transaction.atomic
def share_information(
    *, actor: Actor, person: Person, recipient: str, what: str, recipient_detail: str = ""
) -> Disclosure:
    """Record a disclosure to `recipient`; refused (ConsentMissingError) without a valid consent.

    For "other" recipients `recipient_detail` names the party and must match a consent to that party."""
    choice = dict(ConsentRecipient.choices).get(recipient)
    if choice is None:
        raise ValidationError({"recipient": [_("Velg en mottaker fra listen.")]})
    label = str(choice)
    detail = " ".join(recipient_detail.split())[:200]
    errors: dict[str, list[str]] = {}
    if recipient == ConsentRecipient.OTHER:
        if not detail:
            errors["recipient_detail"] = [_("Skriv hvem mottakeren er, slik det står i samtykket.")]
        label = detail
    if not what.strip():
        errors["what"] = [_("Skriv hva som deles.")]
    if errors:
        raise ValidationError(errors)
    consent = current_consent(person, recipient, detail)
    if consent is None:
        raise ConsentMissingError(
            {
                "recipient": [
                    _(
                        "Kan ikke dele med %(r)s: personen har ikke samtykket til det. Registrer samtykket "
                        "først, eller del ikke opplysningene."
                    )
                    % {"r": label}
                ]
            },
            code="no_consent",
        )
    if not consent.given:
        raise ConsentMissingError(
            {
                "recipient": [
                    _("Kan ikke dele med %(r)s: personen trakk samtykket %(d)s.")
                    % {"r": label, "d": consent.decided_on.strftime("%d.%m.%Y")}
                ]
            },
            code="consent_withdrawn",
        )
    disclosure = Disclosure.objects.create(
        person=person,
        consent=consent,
        recipient=recipient,
        recipient_detail=detail,
        what=what.strip()[:500],
        shared_by=_user(actor),
    )
    record_change(
        user=_user(actor),
        person=person,
        obj=disclosure,
        action="shared",
        changes={
            "recipient": [None, recipient],
            **({"recipient_detail": [None, detail]} if detail else {}),
            "what": [None, disclosure.what],
        },
    )
    return disclosure


@transaction.atomic
def relative_add(
    *,
    actor: Actor,
    person: Person,
    name: str,
    relation: str,
    birth_year: int | None = None,
    phone: str = "",
    is_next_of_kin: bool = False,
    followup_offered: bool = False,
    notes: str = "",
) -> Relative:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Skriv inn navnet.")]
    if relation not in Relative.Relation.values:
        errors["relation"] = [_("Velg en relasjon fra listen.")]
    year = _today().year
    if birth_year is not None and not 1900 <= birth_year <= year:
        errors["birth_year"] = [_("Fødselsåret må være mellom 1900 og %(y)d.") % {"y": year}]
    if relation == Relative.Relation.CHILD and birth_year is None:
        errors["birth_year"] = [_("Fødselsår må fylles inn for barn, så vi vet om barnet er under 18 år.")]
    if errors:
        raise ValidationError(errors)
    relative = Relative.objects.create(
        person=person,
        name=name.strip()[:200],
        relation=relation,
        birth_year=birth_year,
        phone=phone.strip()[:30],
        is_next_of_kin=is_next_of_kin,
        followup_offered=followup_offered,
        notes=notes.strip()[:500],
        created_by=_user(actor),
    )
    record_change(
        user=_user(actor),
        person=person,
        obj=relative,
        action="created",
        changes={"name": [None, relative.name], "relation": [None, relation]},
    )
    if relative.is_minor_on(_today()):
        # A registered minor child answers the routine: "has children", and follow-up counts as offered only
        # when it is offered to every child (a new child without an offer re-opens the reminder).
        today = _today()
        minors = [
            r for r in person.relatives.filter(relation=Relative.Relation.CHILD) if r.is_minor_on(today)
        ]
        offered = all(r.followup_offered for r in minors)
        current = Person.objects.get(pk=person.pk)
        if (
            current.children_routine != ChildrenRoutine.HAS_CHILDREN
            or current.children_followup_offered != offered
        ):
            _set_children_routine(
                actor=actor, person=person, answer=ChildrenRoutine.HAS_CHILDREN, followup_offered=offered
            )
    return relative


@transaction.atomic
def relative_remove(*, actor: Actor, relative: Relative) -> None:
    person = relative.person
    record_change(
        user=_user(actor),
        person=person,
        obj=relative,
        action="removed",
        changes={"name": [relative.name, None], "relation": [relative.relation, None]},
    )
    relative.delete()


def _set_children_routine(*, actor: Actor, person: Person, answer: str, followup_offered: bool) -> None:
    current = Person.objects.select_for_update().get(pk=person.pk)
    diff: dict[str, list[Any]] = {}
    if current.children_routine != answer:
        diff["children_routine"] = [current.children_routine, answer]
    if current.children_followup_offered != followup_offered:
        diff["children_followup_offered"] = [current.children_followup_offered, followup_offered]
    Person.objects.filter(pk=person.pk).update(
        children_routine=answer,
        children_followup_offered=followup_offered,
        children_routine_answered_at=_today(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if diff:
        record_change(user=_user(actor), person=current, obj=current, action="changed", changes=diff)


@transaction.atomic
def children_routine_answer(
    *, actor: Actor, person: Person, answer: str, followup_offered: bool = False
) -> Person:
    """The "barn som pårørende" routine: has the person been asked about children; is follow-up offered."""
    if answer not in ChildrenRoutine.values or answer == ChildrenRoutine.NOT_ASKED:
        raise ValidationError({"answer": [_("Velg hva personen svarte.")]})
    today = _today()
    minors = [r for r in person.relatives.filter(relation=Relative.Relation.CHILD) if r.is_minor_on(today)]
    if minors and answer != ChildrenRoutine.HAS_CHILDREN:
        raise ValidationError(
            {
                "answer": [
                    _(
                        "Det er registrert barn under 18 år som pårørende. Velg «har barn under 18 år», "
                        "eller fjern barna fra pårørendelisten hvis de er registrert ved en feil."
                    )
                ]
            }
        )
    if answer != ChildrenRoutine.HAS_CHILDREN:
        followup_offered = False  # nothing to offer; a stale "offered" must not hide a later reminder
    # has_children without follow-up is allowed; the person page and the routine keep reminding until offered.
    _set_children_routine(actor=actor, person=person, answer=answer, followup_offered=followup_offered)
    if followup_offered:
        for relative in minors:
            if not relative.followup_offered:
                Relative.objects.filter(pk=relative.pk).update(followup_offered=True)
                record_change(
                    user=_user(actor),
                    person=person,
                    obj=relative,
                    action="changed",
                    changes={"followup_offered": [False, True]},
                )
    person.refresh_from_db()
    return person


def break_glass_hours() -> int:
    """How long a break-the-glass grant lasts: setting or environment MESTRING_BREAK_GLASS_HOURS (4)."""
    return int(
        getattr(settings, "MESTRING_BREAK_GLASS_HOURS", os.environ.get("MESTRING_BREAK_GLASS_HOURS", 4))
    )


@transaction.atomic
def break_glass_open(*, actor: Membership, person: Person, reason: str) -> BreakGlassGrant:
    """Emergency access for `break_glass_hours()` with a written reason; logged, and listed for review."""
    from mestring.people.selectors import can_break_glass

    reason = (reason or "").strip()
    if len(reason) < 20:
        raise ValidationError(
            {"reason": [_("Skriv en begrunnelse på minst 20 tegn: hvorfor trenger du tilgang nå?")]}
        )
    if not can_break_glass(actor, person):
        raise ValidationError(_("Du kan ikke bryte glasset for denne personen."))
    now = timezone.now()
    return BreakGlassGrant.objects.create(
        person=person,
        user=actor.user,
        organisation=actor.organisation,
        reason=reason[:2000],
        granted_at=now,
        expires_at=now + timedelta(hours=break_glass_hours()),
    )


@transaction.atomic
def break_glass_review(*, actor: Membership, grant: BreakGlassGrant, note: str = "") -> BreakGlassGrant:
    """A leader marks an emergency access as reviewed. Nobody reviews their own access (that would let a
    leader break the glass unchecked); another leader must."""
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.user_id == actor.user_id:
        raise ValidationError(
            _("Du kan ikke gjennomgå din egen bryt glasset-tilgang. En annen leder må gjøre det.")
        )
    if grant.reviewed_at is not None:
        raise ValidationError(_("Tilgangen er allerede gjennomgått."))
    grant.reviewed_by = actor.user
    grant.reviewed_at = timezone.now()
    grant.review_note = note.strip()[:500]
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    return grant
