"""View guards. Object-level access lives in each app's access.py; this only checks the role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission


def member_required(
    perm: str | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Login, an active membership and (optionally) a permission of its role; else login page or 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None or (perm and not membership.can(perm)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasMembershipPerm(BasePermission):
    """DRF permission: the active membership's role has `view.required_perm` (if set)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        membership = getattr(request._request, "membership", None)
        if not request.user.is_authenticated or membership is None:
            return False
        perm = getattr(view, "required_perm", None)
        return perm is None or membership.can(perm)
