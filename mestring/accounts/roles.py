"""Roles and the one permission table that decides what each role may do."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Ansatt")
    COORDINATOR = "coordinator", _("Koordinator")
    UNIT_LEADER = "unit_leader", _("Enhetsleder")
    MUNICIPAL_ADMIN = "municipal_admin", _("Kommuneadministrasjon")
    ANALYST = "analyst", _("Analytiker")
    NATIONAL_ANALYST = "national_analyst", _("Nasjonal analytiker")
    SYSADMIN = "sysadmin", _("Systemadministrator")


class Perm:
    """Permission names. Views and selectors ask `can(membership, Perm.X)`, never check roles directly."""

    PERSON_VIEW = "person.view"
    PERSON_EDIT = "person.edit"
    FOLLOWUP_EDIT = "followup.edit"
    UNIT_OVERVIEW = "unit.overview"  # caseload, FACT board, break-the-glass review
    BREAK_GLASS_REVIEW = "break_glass.review"
    MAPPING_ENTER = "mapping.enter"
    MAPPING_MANAGE = "mapping.manage"  # open/close rounds, import
    AGGREGATE_VIEW = "aggregate.view"  # suppressed reports of own organisation
    NATIONAL_AGGREGATE_VIEW = "aggregate.national"
    SURVEY_UNIT_MANAGE = "survey.unit.manage"
    SURVEY_NATIONAL_MANAGE = "survey.national.manage"
    SURVEY_IDENTITY_VIEW = "survey.identity"  # see which municipality gave which answer
    PLAN_EDIT = "plan.edit"
    PLAN_VIEW = "plan.view"
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"  # units, cooperation members, steering group, group sets
    FRAME_MANAGE = "frame.manage"  # municipality frame import
    SYSTEM_ADMIN = "system.admin"


_PERSON_WORK = {Perm.PERSON_VIEW, Perm.PERSON_EDIT, Perm.FOLLOWUP_EDIT, Perm.MAPPING_ENTER, Perm.ORG_VIEW}

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.STAFF: frozenset(_PERSON_WORK | {Perm.PLAN_VIEW}),
    Role.COORDINATOR: frozenset(_PERSON_WORK | {Perm.PLAN_VIEW}),
    Role.UNIT_LEADER: frozenset(
        _PERSON_WORK
        | {
            Perm.UNIT_OVERVIEW,
            Perm.BREAK_GLASS_REVIEW,
            Perm.AGGREGATE_VIEW,
            Perm.SURVEY_UNIT_MANAGE,
            Perm.PLAN_VIEW,
            Perm.MAPPING_MANAGE,
        }
    ),
    Role.MUNICIPAL_ADMIN: frozenset(
        {
            Perm.AGGREGATE_VIEW,
            Perm.MAPPING_MANAGE,
            Perm.SURVEY_UNIT_MANAGE,
            Perm.PLAN_EDIT,
            Perm.PLAN_VIEW,
            Perm.ORG_VIEW,
            Perm.ORG_MANAGE,
        }
    ),
    Role.ANALYST: frozenset({Perm.AGGREGATE_VIEW, Perm.PLAN_VIEW, Perm.ORG_VIEW}),
    Role.NATIONAL_ANALYST: frozenset(
        {
            Perm.AGGREGATE_VIEW,
            Perm.NATIONAL_AGGREGATE_VIEW,
            Perm.SURVEY_NATIONAL_MANAGE,
            Perm.SURVEY_IDENTITY_VIEW,
            Perm.ORG_VIEW,
            Perm.FRAME_MANAGE,
        }
    ),
    Role.SYSADMIN: frozenset({Perm.ORG_VIEW, Perm.ORG_MANAGE, Perm.FRAME_MANAGE, Perm.SYSTEM_ADMIN}),
}

# Roles that can see person data must use a second factor.
OTP_ROLES = frozenset(role for role, perms in PERMISSIONS.items() if Perm.PERSON_VIEW in perms)


def role_has(role: str, perm: str) -> bool:
    return perm in PERMISSIONS.get(role, frozenset())
