"""Staff administration: a municipal administrator gives people access to the municipality and its units."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mestring.accounts.models import Membership, User
from mestring.accounts.roles import Perm, Role
from mestring.audit.services import record_admin_change
from mestring.core.errors import StaleEditError
from mestring.core.permissions import member_required
from mestring.organisations.models import Organisation

# Roles a municipal administrator may hand out; national roles and system administration only by a sysadmin.
LOCAL_ROLES = [Role.STAFF, Role.COORDINATOR, Role.UNIT_LEADER, Role.MUNICIPAL_ADMIN, Role.ANALYST]


def managed_organisations(membership: Membership) -> QuerySet[Organisation]:
    """Organisations whose staff the actor administers."""
    if membership.can(Perm.SYSTEM_ADMIN):
        return Organisation.objects.all()
    own = membership.organisation
    if own.kind == Organisation.Kind.MUNICIPALITY:
        return Organisation.objects.filter(pk=own.pk) | Organisation.objects.filter(parent=own)
    return Organisation.objects.filter(pk=own.pk)


def grantable_roles(membership: Membership) -> list[tuple[str, Any]]:
    roles = list(Role) if membership.can(Perm.SYSTEM_ADMIN) else LOCAL_ROLES
    return [(role.value, role.label) for role in roles]


class StaffForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Brukernavn"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=gettext_lazy("Finnes brukeren fra før, får den en ny tilgang i tillegg."),
    )
    first_name = forms.CharField(label=gettext_lazy("Fornavn"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Etternavn"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("E-post"), required=False)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisasjon"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=gettext_lazy("Rolle"))
    title = forms.CharField(label=gettext_lazy("Stillingstittel"), max_length=200, required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = managed_organisations(actor).order_by("name")  # type: ignore[attr-defined]
        self.fields["role"].choices = grantable_roles(actor)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username = data.get("username")
        existing = User.objects.filter(username=username).first() if username else None
        if username and existing is None:
            # Logins are case-sensitive, so "Kari.Nord" next to "kari.nord" would be a second person.
            same_but_case = User.objects.filter(username__iexact=username).first()
            if same_but_case is not None:
                self.add_error(
                    "username",
                    _(
                        "Brukernavnet finnes allerede som «%(u)s». Skriv det nøyaktig slik for å gi "
                        "brukeren ny tilgang."
                    )
                    % {"u": same_but_case.username},
                )
            if not data.get("email"):
                self.add_error("email", _("En ny bruker trenger e-post for å få lenken til å sette passord."))
            elif holder := User.objects.filter(email__iexact=data["email"]).first():
                self.add_error(
                    "email",
                    _(
                        "E-postadressen brukes allerede av brukeren «%(u)s». Skriv det brukernavnet for å gi "
                        "den brukeren ny tilgang, eller bruk en annen e-postadresse."
                    )
                    % {"u": holder.username},
                )
            if not data.get("last_name"):
                self.add_error("last_name", _("Skriv etternavnet til den nye brukeren."))
        # An ended membership may be given again (it is reopened); only one that still runs is a duplicate.
        duplicate = (
            existing is not None
            and data.get("organisation")
            and data.get("role")
            and Membership.objects.filter(user=existing, organisation=data["organisation"], role=data["role"])
            .filter(_not_ended())
            .exists()
        )
        if duplicate:
            self.add_error("role", _("Brukeren har allerede denne rollen i denne organisasjonen."))
        return data


class RoleChangeForm(forms.Form):
    """A new role and/or title for a running membership. `version` is the membership as the page showed it."""

    role = forms.ChoiceField(label=gettext_lazy("Ny rolle"))
    title = forms.CharField(label=gettext_lazy("Stillingstittel"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, actor: Membership, membership: Membership, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"role": membership.role, "title": membership.title, "version": membership.version}
        )
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_roles(actor)  # type: ignore[attr-defined]


def _not_ended() -> Q:
    return Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate())


def manageable_memberships(actor: Membership) -> QuerySet[Membership]:
    """Memberships the actor may end: in organisations it administers, with roles it could grant."""
    return Membership.objects.filter(
        organisation__in=managed_organisations(actor),
        role__in=[value for value, _label in grantable_roles(actor)],
    )


def password_set_link(request: HttpRequest, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(
        reverse("accounts:password_set", kwargs={"uidb64": uid, "token": token})
    )


def _send_password_link(request: HttpRequest, membership: Membership) -> None:
    send_mail(
        _("Tilgang til mestring"),
        _("Du har fått tilgang til mestring som %(m)s.\n\nSett passordet ditt her: %(link)s\n")
        % {"m": membership, "link": password_set_link(request, membership.user)},
        None,
        [membership.user.email],
    )


class PasswordLinkRefused(Exception):
    """A new password link cannot be sent; the message says why (shown to the administrator)."""


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


@transaction.atomic
def staff_grant(
    *, actor: Membership, data: dict[str, Any], request: HttpRequest | None = None
) -> tuple[User, Membership, bool]:
    """Create the user when new, and the membership. Returns (user, membership, user_was_created).

    A new user gets the e-mail with the link to set a password (when `request` is given, to build the link),
    in the same transaction. One row in the administration change log: the membership given ("created") or
    an ended one opened again ("reopened").
    """
    if data["organisation"] not in managed_organisations(actor):
        raise PermissionDenied
    if data["role"] not in dict(grantable_roles(actor)):
        raise PermissionDenied
    user = User.objects.filter(username=data["username"]).first()
    created = user is None
    if user is None:
        user = User(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
        )
        user.set_unusable_password()
        user.save()
    membership = Membership.objects.filter(
        user=user, organisation=data["organisation"], role=data["role"]
    ).first()
    changes: dict[str, Any]
    if membership is None:
        membership = Membership.objects.create(
            user=user,
            organisation=data["organisation"],
            role=data["role"],
            title=data["title"],
            valid_from=timezone.localdate(),
        )
        action = "created"
        changes = {
            "user": [None, user.get_username()],
            "organisation": [None, membership.organisation.name],
            "role": [None, membership.role],
            "title": [None, membership.title],
            "valid_from": [None, _iso(membership.valid_from)],
        }
    else:
        # The same user, organisation and role once ended (one row per combination): open it again from today.
        before = (membership.valid_from, membership.valid_to, membership.title)
        membership.valid_from = timezone.localdate()
        membership.valid_to = None
        membership.title = data["title"] or membership.title
        membership.version += 1
        membership.save(update_fields=["valid_from", "valid_to", "title", "version"])
        action = "reopened"
        changes = {
            "valid_from": [_iso(before[0]), _iso(membership.valid_from)],
            "valid_to": [_iso(before[1]), None],
            "title": [before[2], membership.title],
        }
    if created:
        changes["new_user"] = [None, True]
        if request is not None:
            _send_password_link(request, membership)
            changes["password_link"] = [None, user.email]  # where it went; never the link or token
    record_admin_change(
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        action=action,
        changes=changes,
        subject_user=user,
    )
    return user, membership, created


@transaction.atomic
def staff_end(*, actor: Membership, membership: Membership) -> Membership:
    """End a membership from today: the end date is inclusive, so access that ends now ended yesterday."""
    if not manageable_memberships(actor).filter(pk=membership.pk).exists() or membership.pk == actor.pk:
        raise PermissionDenied
    before = (membership.valid_from, membership.valid_to)
    yesterday = timezone.localdate() - timedelta(days=1)
    membership.valid_to = min(yesterday, membership.valid_to or date.max)
    membership.valid_from = min(membership.valid_from, membership.valid_to)
    membership.version += 1
    membership.save(update_fields=["valid_to", "valid_from", "version"])
    record_admin_change(
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        action="ended",
        changes={
            "valid_from": [_iso(before[0]), _iso(membership.valid_from)],
            "valid_to": [_iso(before[1]), _iso(membership.valid_to)],
        },
        subject_user=membership.user,
    )
    return membership


@transaction.atomic
def staff_change_role(
    *, actor: Membership, membership: Membership, role: str, title: str, expected_version: int
) -> Membership:
    """Give a running membership another role and/or title. Returns the membership that runs from today.

    A new role ends the current membership (yesterday, as `staff_end` does: the end date is inclusive) and
    opens the user's membership with the new role in the same organisation from today: a new row, or the
    user's ended row with that role opened again (one row per user × organisation × role, as `staff_grant`
    reopens it). So each row keeps the period the user had that role. A changed title alone is not a change
    of access: it is edited in place. One row in the administration change log ("changed", old and new role).

    Refusals (nothing written): PermissionDenied when the membership is outside what the actor administers;
    ValidationError (Norwegian) for the actor's own membership, a role the actor may not give, an ended
    membership, a role the user already has here, or no change; StaleEditError when someone else changed
    the membership after `expected_version` was read.
    """
    if not manageable_memberships(actor).filter(pk=membership.pk).exists():
        raise PermissionDenied
    if membership.pk == actor.pk:
        # Changing one's own role could lock the administrator out (and nobody would see it happen):
        # another administrator does it, as with ending one's own access.
        raise ValidationError(
            _("Du kan ikke endre din egen rolle. Be en annen administrator om å gjøre det.")
        )
    if role not in dict(grantable_roles(actor)):
        raise ValidationError({"role": [_("Du kan ikke gi rollen «%(r)s».") % {"r": role}]})
    current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if current is None or current.version != expected_version:
        raise StaleEditError()
    today = timezone.localdate()
    if (current.valid_to is not None and current.valid_to < today) or current.valid_from > today:
        raise ValidationError(_("Bare tilganger som gjelder nå, kan endres."))
    title = (title or "").strip()
    if role == current.role and title == current.title:
        raise ValidationError(_("Du har ikke endret rolle eller stillingstittel."))

    old_role, old_title = current.role, current.title
    if role == current.role:
        current.title = title
        current.version += 1
        current.save(update_fields=["title", "version"])
        record_admin_change(
            actor=actor,
            organisation=current.organisation,
            obj=current,
            action="changed",
            changes={"title": [old_title, title]},
            subject_user=current.user,
        )
        return current

    target = (
        Membership.objects.select_for_update()
        .filter(user_id=current.user_id, organisation_id=current.organisation_id, role=role)
        .first()
    )
    if target is not None and (target.valid_to is None or target.valid_to >= today):
        raise ValidationError({"role": [_("Brukeren har allerede denne rollen i denne organisasjonen.")]})

    # End the current membership: its access stops now.
    old_period = (current.valid_from, current.valid_to)
    current.valid_to = min(today - timedelta(days=1), current.valid_to or date.max)
    current.valid_from = min(current.valid_from, current.valid_to)
    current.version += 1
    current.save(update_fields=["valid_to", "valid_from", "version"])

    if target is None:
        target = Membership.objects.create(
            user_id=current.user_id,
            organisation_id=current.organisation_id,
            role=role,
            title=title,
            valid_from=today,
            valid_to=old_period[1],
        )
    else:
        target.valid_from = today
        target.valid_to = old_period[1]
        target.title = title
        target.version += 1
        target.save(update_fields=["valid_from", "valid_to", "title", "version"])
    record_admin_change(
        actor=actor,
        organisation=current.organisation,
        obj=target,
        action="changed",
        changes={
            "role": [old_role, role],
            "title": [old_title, title],
            "valid_from": [_iso(old_period[0]), _iso(target.valid_from)],
            "ended_membership": [current.pk, None],
            "ended_valid_to": [_iso(old_period[1]), _iso(current.valid_to)],
        },
        subject_user=current.user,
    )
    return target


@transaction.atomic
def staff_password_link_send(*, actor: Membership, membership: Membership, request: HttpRequest) -> None:
    """A new link for a user who has not set a password yet (the first one is used or expired).

    Logged with the address it went to, never the link or its token. Raises PasswordLinkRefused (nothing sent,
    nothing logged) when the user has a password or no e-mail address."""
    if not manageable_memberships(actor).filter(pk=membership.pk).exists():
        raise PermissionDenied
    user = membership.user
    if user.has_usable_password():
        raise PasswordLinkRefused(_("%(u)s har allerede satt passord.") % {"u": user})
    if not user.email:
        raise PasswordLinkRefused(_("%(u)s har ingen e-postadresse. Kontakt drift.") % {"u": user})
    _send_password_link(request, membership)
    record_admin_change(
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        action="password_link_sent",
        changes={"password_link": [None, user.email]},
        subject_user=user,
    )


@member_required(Perm.ORG_MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    memberships = (
        Membership.objects.filter(organisation__in=managed_organisations(actor))
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__username")
    )
    today = timezone.localdate()
    endable = set(manageable_memberships(actor).exclude(pk=actor.pk).values_list("pk", flat=True))
    return render(
        request,
        "accounts/staff_list.html",
        {"memberships": memberships, "today": today, "endable": endable},
    )


@member_required(Perm.ORG_MANAGE)
def staff_add(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    form = StaffForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        user, membership, created = staff_grant(actor=actor, data=form.cleaned_data, request=request)
        if created:
            messages.success(
                request,
                _("%(u)s er opprettet og har fått e-post med lenke for å sette passord.") % {"u": user},
            )
        else:
            messages.success(request, _("%(u)s har fått ny tilgang: %(m)s.") % {"u": user, "m": membership})
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form})


def _manageable_membership(actor: Membership, pk: int) -> Membership:
    """A membership the actor may manage, or 404 (another organisation's is not found, not forbidden)."""
    membership = manageable_memberships(actor).filter(pk=pk).select_related("user", "organisation").first()
    if membership is None:
        raise Http404
    return membership


@member_required(Perm.ORG_MANAGE)
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST ends the access."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    membership = _manageable_membership(actor, pk)
    if membership.pk == actor.pk:
        messages.error(request, _("Du kan ikke avslutte din egen tilgang."))
        return redirect("accounts:staff_list")
    if request.method == "POST":
        staff_end(actor=actor, membership=membership)
        messages.success(request, _("Tilgangen til %(u)s er avsluttet.") % {"u": membership.user})
        return redirect("accounts:staff_list")
    return render(request, "accounts/membership_end_confirm.html", {"m": membership})


@member_required(Perm.ORG_MANAGE)
def membership_change(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the form with the current role and title; POST changes them (`staff_change_role`)."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    membership = _manageable_membership(actor, pk)
    if membership.pk == actor.pk:
        messages.error(
            request, _("Du kan ikke endre din egen rolle. Be en annen administrator om å gjøre det.")
        )
        return redirect("accounts:staff_list")
    if (
        request.method != "POST"
        and membership.valid_to is not None
        and membership.valid_to < timezone.localdate()
    ):
        # On POST the service answers: an ended membership changed under the form is a stale edit.
        messages.error(request, _("Tilgangen er avsluttet. Gi en ny tilgang under «Gi tilgang»."))
        return redirect("accounts:staff_list")
    form = RoleChangeForm(request.POST or None, actor=actor, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            changed = staff_change_role(
                actor=actor,
                membership=membership,
                role=form.cleaned_data["role"],
                title=form.cleaned_data["title"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("%(u)s har nå rollen %(m)s.") % {"u": membership.user, "m": changed})
            return redirect("accounts:staff_list")
    return render(request, "accounts/membership_change.html", {"form": form, "m": membership})


@member_required(Perm.ORG_MANAGE)
@require_POST
def password_link_send(request: HttpRequest, pk: int) -> HttpResponse:
    """A new link for a user who has not set a password yet (the first one is used or expired)."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    membership = _manageable_membership(actor, pk)
    try:
        staff_password_link_send(actor=actor, membership=membership, request=request)
    except PasswordLinkRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Ny lenke for å sette passord er sendt til %(email)s.") % {"email": membership.user.email},
        )
    return redirect("accounts:staff_list")
