"""Idle session expiry, `request.membership` (the organisation and role the user acts through), TOTP."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from mestring.accounts.models import Membership
from mestring.accounts.selectors import memberships_of

SESSION_KEY = "active_membership_id"
TOUCHED_KEY = "_touched"
OTP_EXEMPT_PREFIXES = ("/konto/", "/static/", "/healthz")


def choose_membership(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The membership the user acts through; also keeps all active ones on `request.memberships`."""
    user = request.user
    request.memberships = []  # type: ignore[attr-defined]
    if not user.is_authenticated:
        return None
    memberships = list(memberships_of(user))  # type: ignore[arg-type]
    for membership in memberships:
        membership.user = user  # type: ignore[assignment]  # the same row: no query for `membership.user`
    request.memberships = memberships  # type: ignore[attr-defined]
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.pk == wanted:
            return membership
    if wanted is not None:
        # The chosen membership has ended (e.g. an administrator changed the role, which ends it and opens
        # another): never act through it; stay in the same organisation if the user still has access there.
        ended_in = (
            Membership.objects.filter(pk=wanted, user=user).values_list("organisation_id", flat=True).first()
        )
        chosen = next((m for m in memberships if m.organisation_id == ended_in), memberships[0])
        request.session[SESSION_KEY] = chosen.pk
        return chosen
    return memberships[0]


class IdleSessionMiddleware:
    """Moves a live session's expiry forward at most once per `SESSION_TOUCH_SECONDS`.

    The session expires `SESSION_COOKIE_AGE` seconds after the last request (idle timeout) give or take the
    touch interval, without writing the session row on every request (`SESSION_SAVE_EVERY_REQUEST`).
    Requests without a session (anonymous visitors) create none.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        now = int(time.time())
        touched = session.get(TOUCHED_KEY, 0)
        if session.session_key and now - touched >= settings.SESSION_TOUCH_SECONDS:
            session[TOUCHED_KEY] = now  # marks the session modified: saved with a new expiry
        return self.get_response(request)


def notice_expired_session(request: HttpRequest) -> None:
    """Tell a user whose session ran out (idle timeout) why they meet the login page.

    The session cookie lives until the browser closes (`SESSION_EXPIRE_AT_BROWSER_CLOSE`), the session row
    only `SESSION_COOKIE_AGE` seconds after the last request. A cookie naming a session that no longer exists
    is therefore a session that expired (logging out deletes the cookie). SessionMiddleware deletes the stale
    cookie in this response, so the notice is shown once.
    """
    if request.method != "GET" or request.path.startswith("/api/") or request.user.is_authenticated:
        return
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.session.session_key is not None:
        return
    minutes = max(1, settings.SESSION_COOKIE_AGE // 60)
    messages.warning(
        request,
        _("Du er logget ut fordi du ikke har vært aktiv på %(n)d minutter. Logg inn igjen for å fortsette.")
        % {"n": minutes},
    )


class ActiveMembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        notice_expired_session(request)
        membership = choose_membership(request)
        request.membership = membership  # type: ignore[attr-defined]
        if membership is not None and self.needs_otp(request, membership):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Denne rollen krever innlogging med engangskode (tofaktor)."}, status=403
                )
            return redirect(f"{reverse('accounts:otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def needs_otp(request: HttpRequest, membership) -> bool:  # type: ignore[no-untyped-def]
        if not settings.MESTRING_REQUIRE_OTP or not membership.requires_otp:
            return False
        if request.path.startswith(OTP_EXEMPT_PREFIXES):
            return False
        return not request.user.is_verified()  # type: ignore[union-attr]
