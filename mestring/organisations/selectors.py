"""Reads of organisation structure, restricted to what the acting membership may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from mestring.organisations.models import (
    BUILTIN_GROUP_SETS,
    CooperationMember,
    GroupSet,
    MunicipalityFrame,
    Organisation,
)

Kind = Organisation.Kind


def current_member_ids(cooperation: Organisation, on: date | None = None) -> set[int]:
    day = on or timezone.localdate()
    links = CooperationMember.objects.filter(cooperation=cooperation, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    return set(links.values_list("municipality_id", flat=True))


def cooperations_of(municipality: Organisation, on: date | None = None) -> QuerySet[Organisation]:
    day = on or timezone.localdate()
    return (
        Organisation.objects.filter(
            kind=Kind.COOPERATION,
            member_links__municipality=municipality,
            member_links__valid_from__lte=day,
        )
        .filter(Q(member_links__valid_to__isnull=True) | Q(member_links__valid_to__gte=day))
        .distinct()
    )


def municipality_ids_in_scope(organisation: Organisation, *, person_work: bool = False) -> set[int]:
    """The municipalities an actor in `organisation` works in.

    A municipality or a unit works in its own municipality. A cooperation works in its current member
    municipalities; for person work only when the agreement gives shared staff access (`shares_person_data`).
    """
    if organisation.kind == Kind.COOPERATION:
        if person_work and not organisation.shares_person_data:
            return set()
        return current_member_ids(organisation)
    municipality = organisation.municipality
    return {municipality.pk} if municipality else set()


def visible_organisation_ids(organisation: Organisation) -> set[int]:
    """Organisations whose structure (name, units, contact) an actor in `organisation` may see."""
    if organisation.kind == Kind.NATIONAL:
        return set(Organisation.objects.values_list("pk", flat=True))
    municipality_ids = municipality_ids_in_scope(organisation)
    cooperation_ids: set[int] = set()
    if organisation.kind == Kind.COOPERATION:
        cooperation_ids.add(organisation.pk)
    for municipality_id in list(municipality_ids):
        for cooperation in cooperations_of(Organisation(pk=municipality_id, kind=Kind.MUNICIPALITY)):
            cooperation_ids.add(cooperation.pk)
            if cooperation.members_see_each_other:
                municipality_ids |= current_member_ids(cooperation)
    unit_ids = set(
        Organisation.objects.filter(kind=Kind.UNIT, parent_id__in=municipality_ids).values_list(
            "pk", flat=True
        )
    )
    return municipality_ids | cooperation_ids | unit_ids | {organisation.pk}


def visible_organisations(organisation: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=visible_organisation_ids(organisation)).select_related(
        "parent", "host"
    )


@dataclass(frozen=True)
class StaffLine:
    user: Any
    labels: str


def staff_of(organisation: Organisation) -> list[StaffLine]:
    """Current staff of an organisation the actor may see (checked by the caller): each person once, with
    their roles and job titles, a title that repeats a role (or another title) shown once."""
    from mestring.accounts.models import Membership

    labels: dict[int, list[str]] = {}
    users: dict[int, Any] = {}
    memberships = (
        Membership.objects.active()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role", "pk")
    )
    for membership in memberships:
        users.setdefault(membership.user_id, membership.user)
        seen = labels.setdefault(membership.user_id, [])
        for label in (str(membership.get_role_display()), membership.title.strip()):
            if label and label.casefold() not in {known.casefold() for known in seen}:
                seen.append(label)
    return [StaffLine(user=users[pk], labels=", ".join(labels[pk])) for pk in users]


def units_of(municipality: Organisation, *, include_closed: bool = False) -> QuerySet[Organisation]:
    """The municipality's units; closed (laid down) units only when asked for (history, reports)."""
    units = Organisation.objects.filter(kind=Kind.UNIT, parent=municipality)
    if not include_closed:
        units = units.filter(is_active=True)
    return units.order_by("name")


def active_units(municipality_ids: set[int] | list[int]) -> QuerySet[Organisation]:
    """Units to choose from in the given municipalities: closed units are left out. Pickers in every app
    should use this; reports and history read units without this filter so closed units keep their rows."""
    return Organisation.objects.filter(
        kind=Kind.UNIT, parent_id__in=list(municipality_ids), is_active=True
    ).order_by("name")


def frame_years() -> list[int]:
    return list(MunicipalityFrame.objects.order_by("-year").values_list("year", flat=True).distinct())


def latest_frame_year() -> int | None:
    years = frame_years()
    return years[0] if years else None


def frame(year: int) -> QuerySet[MunicipalityFrame]:
    return MunicipalityFrame.objects.filter(year=year).order_by("kommunenummer")


def group_label(row: MunicipalityFrame, slug: str, custom: dict[str, str] | None = None) -> str:
    """The group a frame row belongs to in a group set (built-in sets from the frame itself)."""
    if slug == "befolkningsklasse":
        return row.befolkningsklasse
    if slug in ("fylke", "helseregion", "kostragruppe"):
        return str(getattr(row, slug))
    return (custom or {}).get(row.kommunenummer, "Uten gruppe")


def group_assignments(year: int, slug: str) -> dict[str, str]:
    """kommunenummer → group label for every municipality in the frame of `year`. Used by all reports."""
    custom: dict[str, str] | None = None
    if slug not in BUILTIN_GROUP_SETS:
        group_set = GroupSet.objects.get(slug=slug)
        custom = dict(group_set.members.values_list("kommunenummer", "label"))
    return {row.kommunenummer: group_label(row, slug, custom) for row in frame(year)}
