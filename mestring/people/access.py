"""The one door to a person record: `access_person`.

    access_person(*, membership=None, request=None, person_id, what, purpose="",
                  perm=Perm.PERSON_VIEW) -> Person

Give the acting membership either directly (`membership=`) or through the request (`request=`; uses
`request.membership`). It returns the person when the actor's role has `perm` and the actor has tjenstlig
behov (see `selectors.py`) or an active break-the-glass grant, and writes EXACTLY ONE access-log row
(`what`: what was read, e.g. "personside", "API: detalj", "innsyn PDF"; `purpose`: why; defaults to
"tjenstlig behov", or the written reason of the break-the-glass grant). Otherwise it raises, writing nothing:
- `PermissionDenied` (403) when the role lacks `perm` (e.g. analysts) or there is no membership;
- `Http404` when the person does not exist, is anonymised, is in another municipality, or the actor has no
  tjenstlig behov. Never 403 here: the answer must not tell whether the person exists, so every one of
  these cases raises the same `Http404(NOT_FOUND)` (the API shows its message as `detail`).
  A refused attempt on an existing record is not an access-log row (nothing was read) but a WARNING on the
  `mestring.security` logger (user, organisation, role, person id, what) for the operators' log monitoring.

`can_access_person(membership, person) -> bool` answers the same question without logging (for showing links).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.audit.services import log_access
from mestring.people import selectors
from mestring.people.models import Person

DEFAULT_PURPOSE = "tjenstlig behov"
# One message for "no such id", "anonymised" and "not yours": the API must not reveal which ids exist.
NOT_FOUND = gettext_lazy("Fant ikke personen.")
security_log = logging.getLogger("mestring.security")


def _membership_of(membership: Membership | None, request: HttpRequest | None) -> Membership:
    if membership is None and request is not None:
        membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied
    return membership


def _log_refusal(actor: Membership, person: Person, what: str) -> None:
    security_log.warning(
        "Person record refused (no tjenstlig behov): user=%s organisation=%s role=%s person=%s what=%s",
        actor.user_id,
        actor.organisation_id,
        actor.role,
        person.pk,
        what,
    )


def person_pk(person_id: Any) -> int:
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def can_access_person(membership: Membership | None, person: Person) -> bool:
    """Tjenstlig behov or an active break-the-glass grant; no logging."""
    if membership is None or not membership.can(Perm.PERSON_VIEW):
        return False
    if person.status == Person.Status.ANONYMISED:
        return False
    if selectors.has_service_need(membership, person):
        return True
    return selectors.active_break_glass(membership, person) is not None


def access_person(
    *,
    membership: Membership | None = None,
    request: HttpRequest | None = None,
    person_id: Any,
    what: str,
    purpose: str = "",
    perm: str = Perm.PERSON_VIEW,
) -> Person:
    """The person, after the access check and exactly one access-log row; else 403/404 (see module doc)."""
    actor = _membership_of(membership, request)
    if not actor.can(Perm.PERSON_VIEW) or not actor.can(perm):
        raise PermissionDenied
    try:
        pk = person_pk(person_id)
    except Http404:
        raise Http404(NOT_FOUND) from None
    need = selectors.persons_for(actor).filter(pk=OuterRef("pk"))
    try:
        # The record and the tjenstlig-behov check in one query.
        person = Person.objects.select_related("organisation").annotate(service_need=Exists(need)).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    if person.status == Person.Status.ANONYMISED:
        raise Http404(NOT_FOUND)
    break_glass = False
    if not person.service_need:  # type: ignore[attr-defined]
        grant = selectors.active_break_glass(actor, person)
        if grant is None:
            _log_refusal(actor, person, what)
            raise Http404(NOT_FOUND)
        break_glass = True
        reason = _("bryt glasset: %(reason)s") % {"reason": grant.reason}
        purpose = f"{purpose}; {reason}" if purpose else reason
    log_access(
        user=actor.user,
        membership=actor,
        person=person,
        what=what,
        purpose=purpose or DEFAULT_PURPOSE,
        break_glass=break_glass,
    )
    return person
