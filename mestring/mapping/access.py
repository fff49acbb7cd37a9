"""Who may see which rounds and which report scopes. Anything outside answers 404."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.mapping.models import ImportJob, MappingRound
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
