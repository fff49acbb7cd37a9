"""Users and their memberships (user × organisation × role)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.accounts.roles import OTP_ROLES, Role, role_has
from mestring.organisations.models import Organisation


class User(AbstractUser):
    """A person who logs in: staff, leader, planner, analyst. Persons receiving services are not users."""

    phone = models.CharField(_("telefon"), max_length=30, blank=True, default="")

    class Meta:
        ordering = ["username"]
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: date | None = None) -> MembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )


class Membership(models.Model):
    """A user acts through a membership: in an organisation, with one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=30, choices=Role.choices)
    title = models.CharField(_("stillingstittel"), max_length=200, blank=True, default="")
    valid_from = models.DateField(_("fra"), default=date(2000, 1, 1))
    valid_to = models.DateField(_("til"), null=True, blank=True)
    # Optimistic locking: administrators editing the same membership at once (see staff_change_role).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}, {self.organisation}"

    def can(self, perm: str) -> bool:
        return role_has(self.role, perm)

    @property
    def requires_otp(self) -> bool:
        return self.role in OTP_ROLES
