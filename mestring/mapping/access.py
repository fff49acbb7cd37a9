"""Who may see which rounds and which report scopes. Anything outside answers 404."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.mapping.models import ImportJob, MappingEntry, MappingRound, RoundStaffTarget, RoundUnit
from mestring.mapping.reports import Scope, cooperation_scope, municipality_scope, national_scope
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import cooperations_of, municipality_ids_in_scope

Kind = Organisation.Kind


def can_work_with_rounds(membership: Membership) -> bool:
    return membership.can(Perm.MAPPING_ENTER) or membership.can(Perm.MAPPING_MANAGE)


def entry_municipality_ids(membership: Membership) -> set[int]:
    """Municipalities the actor may register or import mappings for."""
    return municipality_ids_in_scope(membership.organisation)


def visible_rounds(membership: Membership) -> QuerySet[MappingRound]:
    """Rounds of the actor's municipalities, of its cooperation, and of cooperations they are members of."""
    organisation = membership.organisation
    municipality_ids = municipality_ids_in_scope(organisation)
    cooperation_ids = {organisation.pk} if organisation.kind == Kind.COOPERATION else set()
    for municipality_id in municipality_ids:
        cooperation_ids |= set(
            cooperations_of(Organisation(pk=municipality_id, kind=Kind.MUNICIPALITY)).values_list(
                "pk", flat=True
            )
        )
    return MappingRound.objects.filter(
        Q(organisation_id__in=municipality_ids) | Q(organisation_id__in=cooperation_ids)
    ).select_related("organisation")


def access_round(membership: Membership, pk: int) -> MappingRound:
    mapping_round = visible_rounds(membership).filter(pk=pk).first()
    if mapping_round is None:
        raise Http404
    return mapping_round


def managed_round(membership: Membership, pk: int) -> MappingRound:
    """A round the actor manages: of its own municipality, or of its own cooperation (or one it hosts)."""
    mapping_round = access_round(membership, pk)
    organisation = membership.organisation
    own = organisation.municipality or organisation
    if (
        mapping_round.organisation_id in (own.pk, organisation.pk)
        or mapping_round.organisation.host_id == own.pk
    ):
        return mapping_round
    raise Http404


def manages_round(membership: Membership, mapping_round: MappingRound) -> bool:
    """The actor may manage this (visible) round: `mapping.manage` and the round is theirs."""
    if not membership.can(Perm.MAPPING_MANAGE):
        return False
    try:
        managed_round(membership, mapping_round.pk)
    except Http404:
        return False
    return True


def editable_municipality_ids(membership: Membership, mapping_round: MappingRound) -> set[int]:
    """Municipalities whose entries in the round the actor may see and correct (and move an entry to)."""
    from mestring.mapping.services import round_municipality_ids

    covered = round_municipality_ids(mapping_round)
    if manages_round(membership, mapping_round):
        return covered
    return covered & entry_municipality_ids(membership)


@dataclass(frozen=True)
class RoundView:
    """The part of a round an actor sees: the entries list, the progress per unit and per staff member all
    follow it (one rule).

    `municipality_ids` None means the whole round (those who manage it). Otherwise the entries of those
    municipalities; for staff with only `mapping.enter`, further limited to `unit_ids` (their own unit) and
    the entries they registered themselves (`user_id`). Not widened by the cooperation's
    `members_see_each_other`: that agreement lets members see each other's units (structure, contact),
    not each other's mapping work.
    """

    municipality_ids: frozenset[int] | None
    unit_ids: frozenset[int] | None = None
    user_id: int | None = None

    @property
    def whole_round(self) -> bool:
        return self.municipality_ids is None

    def entries(self, entries: QuerySet[MappingEntry]) -> QuerySet[MappingEntry]:
        if self.municipality_ids is None:
            return entries
        entries = entries.filter(municipality_id__in=self.municipality_ids)
        if self.unit_ids is None:
            return entries
        return entries.filter(Q(unit_id__in=self.unit_ids) | Q(assessed_by_id=self.user_id))

    def round_units(self, round_units: QuerySet[RoundUnit]) -> QuerySet[RoundUnit]:
        if self.municipality_ids is None:
            return round_units
        round_units = round_units.filter(unit__parent_id__in=self.municipality_ids)
        return round_units if self.unit_ids is None else round_units.filter(unit_id__in=self.unit_ids)

    def staff_targets(self, targets: QuerySet[RoundStaffTarget]) -> QuerySet[RoundStaffTarget]:
        """Targets of staff working in the visible part (a current membership there), and the actor's own."""
        if self.municipality_ids is None:
            return targets
        if self.unit_ids is None:
            where = Q(organisation_id__in=self.municipality_ids) | Q(
                organisation__parent_id__in=self.municipality_ids
            )
        else:
            where = Q(organisation_id__in=self.unit_ids)
        users = Membership.objects.active().filter(where).values("user_id")
        return targets.filter(Q(user_id__in=users) | Q(user_id=self.user_id))


def round_view(membership: Membership, mapping_round: MappingRound) -> RoundView:
    """What of a visible round the actor may see (and, for entries, correct and delete).

    Those who manage the round see all of it; other holders of `mapping.manage` the entries of their own
    municipalities; staff with only `mapping.enter` the entries of their own unit and those they registered.
    """
    if manages_round(membership, mapping_round):
        return RoundView(municipality_ids=None)
    municipality_ids = frozenset(editable_municipality_ids(membership, mapping_round))
    if membership.can(Perm.MAPPING_MANAGE):
        return RoundView(municipality_ids=municipality_ids, user_id=membership.user_id)
    if not membership.can(Perm.MAPPING_ENTER):
        return RoundView(municipality_ids=frozenset(), unit_ids=frozenset(), user_id=None)
    own_unit = {membership.organisation_id} if membership.organisation.kind == Kind.UNIT else set()
    return RoundView(
        municipality_ids=municipality_ids, unit_ids=frozenset(own_unit), user_id=membership.user_id
    )


def visible_entries(membership: Membership, mapping_round: MappingRound) -> QuerySet[MappingEntry]:
    """The entries of a visible round the actor may see, correct and delete (`round_view`)."""
    return round_view(membership, mapping_round).entries(MappingEntry.objects.filter(round=mapping_round))


def with_visible_entry_counts(membership: Membership, rounds: Iterable[MappingRound]) -> list[MappingRound]:
    """The rounds, each with `entry_count`: the entries the actor may see (`visible_entries`), so a member
    municipality's staff are not shown the size of the other members' part of a cooperation round."""
    rounds = list(rounds)
    for mapping_round in rounds:
        mapping_round.entry_count = visible_entries(membership, mapping_round).count()  # type: ignore[attr-defined]
    return rounds


def access_entry(membership: Membership, pk: int) -> MappingEntry:
    """An entry the actor may see and correct; anything else (another municipality, unit, …) is 404."""
    round_id = MappingEntry.objects.filter(pk=pk).values_list("round_id", flat=True).first()
    if round_id is None:
        raise Http404
    mapping_round = access_round(membership, round_id)
    entry = (
        visible_entries(membership, mapping_round)
        .select_related("round__organisation", "municipality", "unit", "assessed_by")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def access_import(membership: Membership, pk: int) -> ImportJob:
    job = ImportJob.objects.select_related("round").filter(pk=pk).first()
    if job is None:
        raise Http404
    managed_round(membership, job.round_id)
    return job


def round_owner_for(membership: Membership) -> Organisation | None:
    """The organisation a new round belongs to: the actor's municipality or cooperation."""
    organisation = membership.organisation
    if organisation.kind == Kind.COOPERATION:
        return organisation
    return organisation.municipality


def resolve_scope(membership: Membership, params: Mapping[str, str]) -> Scope:
    """The report scope asked for in `params` (kommune=KNR, samarbeid=SLUG, nasjonalt=1), checked.

    National analysts may ask for any scope and get the nation by default. Others get their own
    municipality or cooperation; another municipality answers 404, the nation 403.
    """
    if not membership.can(Perm.AGGREGATE_VIEW):
        raise PermissionDenied
    national = membership.can(Perm.NATIONAL_AGGREGATE_VIEW)
    knr = (params.get("kommune") or "").strip()
    slug = (params.get("samarbeid") or "").strip()
    if knr:
        municipality = Organisation.objects.filter(kind=Kind.MUNICIPALITY, kommunenummer=knr).first()
        if municipality is None:
            raise Http404
        if not national and municipality.pk not in municipality_ids_in_scope(membership.organisation):
            raise Http404
        return municipality_scope(municipality)
    if slug:
        cooperation = Organisation.objects.filter(kind=Kind.COOPERATION, slug=slug).first()
        if cooperation is None or (not national and cooperation != membership.organisation):
            raise Http404
        return cooperation_scope(cooperation)
    if national or params.get("nasjonalt"):
        if not national:
            raise PermissionDenied
        return national_scope()
    organisation = membership.organisation
    if organisation.kind == Kind.COOPERATION:
        return cooperation_scope(organisation)
    municipality = organisation.municipality
    if municipality is None:
        raise PermissionDenied
    return municipality_scope(municipality)
