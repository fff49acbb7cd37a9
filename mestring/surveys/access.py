"""Who may see which survey: anything outside the actor's scope answers 404.

* Questionnaires: those shipped with mestring (no owner) are visible to everyone who may author; others to
  their owner organisation (and, for a municipality, its units' leaders see the municipality's forms).
* Unit satisfaction surveys: a unit sees its own; a municipality (or a cooperation, for its members) sees its
  units'. Another municipality's unit survey answers 404.
* National surveys: the owning national organisation.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from mestring.accounts.models import Membership
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import municipality_ids_in_scope
from mestring.surveys.models import NationalSurvey, Question, Questionnaire, SatisfactionSurvey, Section

Kind = Organisation.Kind


def unit_ids_in_scope(membership: Membership) -> set[int]:
    organisation = membership.organisation
    if organisation.kind == Kind.UNIT:
        return {organisation.pk}
    if organisation.kind == Kind.NATIONAL:
        return set()
    municipalities = municipality_ids_in_scope(organisation)
    return set(
        Organisation.objects.filter(kind=Kind.UNIT, parent_id__in=municipalities).values_list("pk", flat=True)
    )


def units_in_scope(membership: Membership) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=unit_ids_in_scope(membership)).order_by("name")


def questionnaire_owner_ids(membership: Membership) -> set[int]:
    organisation = membership.organisation
    ids = {organisation.pk}
    if organisation.kind == Kind.UNIT and organisation.parent_id:
        ids.add(organisation.parent_id)
    elif organisation.kind in (Kind.MUNICIPALITY, Kind.COOPERATION):
        ids |= unit_ids_in_scope(membership)
    return ids


def visible_questionnaires(membership: Membership) -> QuerySet[Questionnaire]:
    return Questionnaire.objects.filter(
        Q(owner__isnull=True) | Q(owner_id__in=questionnaire_owner_ids(membership))
    ).order_by("title")


def access_questionnaire(membership: Membership, slug: str) -> Questionnaire:
    questionnaire = visible_questionnaires(membership).filter(slug=slug).first()
    if questionnaire is None:
        raise Http404
    return questionnaire


def access_question(questionnaire: Questionnaire, pk: int) -> Question:
    """A question of `questionnaire` (any version), already reached through `access_questionnaire`."""
    question = (
        Question.objects.select_related("version", "section").filter(
            pk=pk, version__questionnaire=questionnaire
        )
    ).first()
    if question is None:
        raise Http404
    return question


def access_section(questionnaire: Questionnaire, pk: int) -> Section:
    section = (
        Section.objects.select_related("version").filter(pk=pk, version__questionnaire=questionnaire).first()
    )
    if section is None:
        raise Http404
    return section


def can_edit_questionnaire(membership: Membership, questionnaire: Questionnaire) -> bool:
    """The owner edits its drafts; a municipality also its units'. A unit only reads its municipality's."""
    owner = questionnaire.owner
    if owner is None:
        return False
    return owner.pk == membership.organisation_id or owner.parent_id == membership.organisation_id


def visible_unit_surveys(membership: Membership) -> QuerySet[SatisfactionSurvey]:
    return SatisfactionSurvey.objects.filter(unit_id__in=unit_ids_in_scope(membership)).select_related(
        "unit", "unit__parent", "version__questionnaire"
    )


def access_unit_survey(membership: Membership, pk: int) -> SatisfactionSurvey:
    survey = visible_unit_surveys(membership).filter(pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def visible_national_surveys(membership: Membership) -> QuerySet[NationalSurvey]:
    return NationalSurvey.objects.filter(owner=membership.organisation).select_related(
        "version__questionnaire"
    )


def access_national_survey(membership: Membership, slug: str) -> NationalSurvey:
    survey = visible_national_surveys(membership).filter(slug=slug).first()
    if survey is None:
        raise Http404
    return survey
