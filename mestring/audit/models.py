"""The access log (append-only), the change log (who changed what, old → new) and retention reports.

AccessLog (and AdminChange, through the same `AppendOnlyQuerySet` and `AppendOnlyRow`) is append-only
at three levels:
1. the app has no service, view or API that changes or deletes a row;
2. `AccessLog.save()` refuses to update an existing row, `delete()` refuses, and the manager's
   queryset refuses `update()` and `delete()` (AppendOnlyError);
3. on PostgreSQL a trigger (migration 0003) refuses UPDATE always and DELETE unless the transaction has set
   `SET LOCAL mestring.retention = 'on'`, which only `mestring.audit.services.access_log_purge` does.

The foreign keys to person, user and organisation have no database constraint and `DO_NOTHING` on delete, so
deleting a person (retention) or a user never touches a log row; snapshots of the username and organisation
name keep the row readable.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access-log row through the ORM."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Refuses every bulk change; `refusal` names the log in the message."""

    refusal = "This log is append-only"

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(self.refusal)

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError(self.refusal)

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError(self.refusal)

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError(self.refusal)


class AppendOnlyRow:
    """Model mixin: a row is inserted once, never updated or deleted through the ORM."""

    refusal = "This log is append-only"
    _state: Any

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update"):
            raise AppendOnlyError(self.refusal)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(self.refusal)


class AccessLogQuerySet(AppendOnlyQuerySet):
    refusal = "The access log is append-only"


class AccessLog(AppendOnlyRow, models.Model):
    """One read of a person's data: who, through which membership, when, what, why, break-the-glass."""

    at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("bruker"), max_length=150)
    user_display = models.CharField(_("navn"), max_length=300, blank=True, default="")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organisation_name = models.CharField(_("organisasjon"), max_length=200, blank=True, default="")
    role = models.CharField(_("rolle"), max_length=30, blank=True, default="")
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    what = models.CharField(_("hva"), max_length=200)
    purpose = models.CharField(_("formål"), max_length=500, blank=True, default="")
    break_glass = models.BooleanField(_("bryt glasset"), default=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "at"])]
        verbose_name = _("tilgangslogg")

    refusal = "The access log is append-only"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.what}"

    @property
    def role_label(self) -> str:
        from mestring.accounts.roles import Role

        return str(dict(Role.choices).get(self.role, self.role))


class ChangeRecord(models.Model):
    """The shape every change history shares: who (kept as a name after the user is gone), when, what was
    done, field → [old, new]. `ChangeLog` is a person's record; other apps keep their own histories in this
    shape for things that are not about a person (mapping corrections, questionnaire authoring)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=20)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.user is not None and not self.username:
            self.username = self.user.get_username()  # the name stays when the user is deleted
        super().save(*args, **kwargs)


class ChangeLog(ChangeRecord):
    """A change to a person's record: who, when, which object, field → [old, new].

    Encrypted fields are recorded as changed without values (`"[endret]"`), so the log never holds an id.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="change_log")
    object_type = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # action: created / changed / ended / removed

    class Meta(ChangeRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"


class RetentionRun(models.Model):
    """What one retention run removed or anonymised (kept as the report)."""

    ran_at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M}"


class AdminChangeQuerySet(AppendOnlyQuerySet):
    refusal = "The administration change log is append-only"


class AdminChange(AppendOnlyRow, ChangeRecord):
    """An administrative change that decides who may see what: a membership given, ended or reopened, a
    password link sent, a unit created, a cooperation member or steering-group seat added, a group set made.

    Append-only like `AccessLog` (ORM guards here; a trigger on PostgreSQL, migration 0005). The foreign keys
    have no database constraint and `DO_NOTHING` on delete, so deleting a user or an organisation never
    touches a row; the snapshots (`username`, `organisation_name`, `subject_username`, `object_repr`) keep it
    readable. `organisation` is the tenant the change belongs to: the membership's organisation, the
    municipality a unit was created in, the cooperation, the owner of a group set (none for national ones).
    """

    user = models.ForeignKey(  # the actor (overrides ChangeRecord's SET_NULL: rows are never updated)
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organisation_name = models.CharField(_("organisasjon"), max_length=200, blank=True, default="")
    actor_role = models.CharField(_("rolle"), max_length=30, blank=True, default="")
    object_type = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = models.CharField(_("gjelder"), max_length=300, blank=True, default="")
    # The staff member whose access the change concerns (a membership's user), for "who gave Kari access".
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    subject_username = models.CharField(_("ansatt"), max_length=150, blank=True, default="")
    # action: created / ended / reopened / password_link_sent

    objects = AdminChangeQuerySet.as_manager()

    class Meta(ChangeRecord.Meta):
        verbose_name = _("endring i administrasjon")
        verbose_name_plural = _("endringer i administrasjon")
        indexes = [models.Index(fields=["organisation", "at"])]

    refusal = "The administration change log is append-only"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"
