"""Access to organisations: anything outside the actor's scope answers 404."""

from __future__ import annotations

from django.http import Http404

from mestring.accounts.models import Membership
from mestring.organisations.models import GroupSet, Organisation
from mestring.organisations.selectors import visible_organisation_ids


def access_organisation(membership: Membership, slug: str) -> Organisation:
    try:
        organisation = Organisation.objects.select_related("parent", "host").get(slug=slug)
    except Organisation.DoesNotExist:
        raise Http404 from None
    if organisation.pk not in visible_organisation_ids(membership.organisation):
        raise Http404
    return organisation


def access_group_set(membership: Membership, slug: str) -> GroupSet:
    try:
        group_set = GroupSet.objects.get(slug=slug)
    except GroupSet.DoesNotExist:
        raise Http404 from None
    if group_set.owner_id and group_set.owner_id not in visible_organisation_ids(membership.organisation):
        raise Http404
    return group_set
