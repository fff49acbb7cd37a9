from __future__ import annotations

from django.db.models import QuerySet

from mestring.accounts.models import Membership, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.active().filter(user=user).select_related("organisation", "organisation__parent")
    )
