from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mestring.accounts.selectors import memberships_of
from mestring.core.navigation import nav_items


def active_membership(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"membership": None, "memberships": [], "nav_items": []}
    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", None) or list(memberships_of(request.user)),  # type: ignore[arg-type]
        "nav_items": nav_items(request, membership),
    }
