"""Reads of person data, restricted to what the acting membership has tjenstlig behov for.

Tjenstlig behov (need to know), decided here and nowhere else:
- the role has `Perm.PERSON_VIEW` (analysts, administrators and researchers never see persons), and
- the user is on the person's care team now (`CareTeamMembership`, personal: follows the user), or
- the membership's organisation is a unit that serves the person now (`ServiceRelation`), or
- the membership's organisation is a cooperation whose agreement gives shared staff person access
  (`shares_person_data`), and a unit in one of its current member municipalities serves the person now.
A municipality-level membership gives no access by itself: person work happens in units. Anonymised records
are never visible. Break-the-glass grants are not tjenstlig behov;
`access.py` adds them for one person at a time.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import municipality_ids_in_scope
from mestring.people.models import (
    BreakGlassGrant,
    CareTeamMembership,
    Consent,
    ConsentRecipient,
    Person,
    ServiceRelation,
)

Kind = Organisation.Kind


def _need_q(membership: Membership) -> Q:
    team = CareTeamMembership.objects.active().filter(user_id=membership.user_id).values("person_id")
    condition = Q(pk__in=team)
    organisation = membership.organisation
    if organisation.kind == Kind.UNIT:
        served = ServiceRelation.objects.active().filter(unit_id=organisation.pk).values("person_id")
        condition |= Q(pk__in=served)
    elif organisation.kind == Kind.COOPERATION:
        scope = municipality_ids_in_scope(organisation, person_work=True)
        if scope:
            served = ServiceRelation.objects.active().filter(unit__parent_id__in=scope).values("person_id")
            condition |= Q(pk__in=served)
    return condition


def persons_for(membership: Membership | None) -> QuerySet[Person]:
    """Persons the actor has tjenstlig behov for (no logging: log what you show)."""
    if membership is None or not membership.can(Perm.PERSON_VIEW):
        return Person.objects.none()
    return (
        Person.objects.exclude(status=Person.Status.ANONYMISED)
        .filter(_need_q(membership))
        .select_related("organisation")
    )


def has_service_need(membership: Membership | None, person: Person) -> bool:
    return persons_for(membership).filter(pk=person.pk).exists()


def active_break_glass(membership: Membership, person: Person) -> BreakGlassGrant | None:
    return (
        BreakGlassGrant.objects.filter(
            person=person,
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def break_glass_scope_ids(membership: Membership) -> set[int]:
    """Municipalities where the actor may break the glass (own municipality, or sharing cooperation's)."""
    if not membership.can(Perm.PERSON_VIEW):
        return set()
    return municipality_ids_in_scope(membership.organisation, person_work=True)


def can_break_glass(membership: Membership, person: Person) -> bool:
    """Staff in the person's municipality (or a sharing cooperation) may ask for emergency access."""
    if person.status == Person.Status.ANONYMISED:
        return False
    scope = break_glass_scope_ids(membership)
    if not scope:
        return False
    if person.organisation_id in scope:
        return True
    return ServiceRelation.objects.active().filter(person=person, unit__parent_id__in=scope).exists()


def search(queryset: QuerySet[Person], text: str) -> QuerySet[Person]:
    """Filter by name words, birth year, or an exact fødselsnummer (through its keyed HMAC)."""
    from mestring.people import crypto, fnr

    text = (text or "").replace("\x00", "").strip()
    if not text:
        return queryset
    compact = fnr.normalise(text)
    if compact.isdigit() and len(compact) == 11:
        return queryset.filter(national_id_hmac=crypto.lookup_hash(compact))
    if compact.isdigit() and len(compact) == 4:
        year = int(compact)
        return queryset.filter(Q(birth_date__year=year) | Q(birth_year=year))
    for word in text.split():
        queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return queryset


def consent_status(person: Person) -> dict[str, Consent | None]:
    """The deciding (newest) consent row per recipient; None when never asked."""
    status: dict[str, Consent | None] = dict.fromkeys(ConsentRecipient.values)
    for consent in person.consents.order_by("recipient", "-decided_on", "-recorded_at", "-pk"):
        if status.get(consent.recipient) is None:
            status[consent.recipient] = consent
    return status


def consent_rows(person: Person) -> list[tuple[str, Consent | None]]:
    """(recipient, deciding consent or None) for the consent table. Each described "other" recipient is its
    own row, since a consent to one such party says nothing about another."""
    from mestring.people.services import current_consent, same_other_recipient

    status = consent_status(person)
    rows: list[tuple[str, Consent | None]] = []
    for value, label in ConsentRecipient.choices:
        if value != ConsentRecipient.OTHER:
            rows.append((str(label), status.get(value)))
    details: list[str] = []
    for consent in person.consents.filter(recipient=ConsentRecipient.OTHER).order_by(
        "recipient_detail", "pk"
    ):
        if not any(same_other_recipient(consent.recipient_detail, d) for d in details):
            details.append(consent.recipient_detail)
    for detail in details:
        rows.append(
            (
                _("Andre: %(who)s") % {"who": detail or "–"},
                current_consent(person, ConsentRecipient.OTHER, detail),
            )
        )
    if not details:
        rows.append((str(ConsentRecipient.OTHER.label), None))
    return rows


def break_glass_for_review(membership: Membership) -> QuerySet[BreakGlassGrant]:
    """Grants a unit leader reviews: for persons their unit serves, or opened from their own unit."""
    if not membership.can(Perm.BREAK_GLASS_REVIEW):
        return BreakGlassGrant.objects.none()
    organisation = membership.organisation
    if organisation.kind == Kind.UNIT:
        served = ServiceRelation.objects.filter(unit_id=organisation.pk).values("person_id")
        condition = Q(person_id__in=served) | Q(organisation_id=organisation.pk)
    else:
        scope = municipality_ids_in_scope(organisation, person_work=True)
        condition = Q(person__organisation_id__in=scope) | Q(organisation_id=organisation.pk)
    return BreakGlassGrant.objects.filter(condition).select_related(
        "person", "user", "organisation", "reviewed_by"
    )
