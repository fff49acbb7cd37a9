"""Every write in the surveys app: keyword-only, typed, one transaction each. Bad input raises ValidationError
with Norwegian messages (per field where there is one) and writes nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from mestring.accounts.models import Membership, User
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import cooperations_of, current_member_ids, frame
from mestring.surveys import engine
from mestring.surveys.models import (
    CHOICE_TYPES,
    AuthoringChange,
    CodedAnswer,
    Invitation,
    NationalSurvey,
    Option,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Response,
    SatisfactionAnswer,
    SatisfactionRound,
    SatisfactionSurvey,
    Section,
    Theme,
)

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
PLACEHOLDER_EMAIL = "postmottak@kommune-{kommunenummer}.invalid"
"""Used when a municipality's organisation has no contact address: the invitation is recorded and can be
forwarded by hand; the analyst sees the placeholder in the status list and can correct the address."""


def default_base_url() -> str:
    return str(getattr(settings, "MESTRING_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


# ---------------------------------------------------------------------------------------------------------
# Authoring
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(
    *, owner: Organisation | None, title: str, kind: str, slug: str = "", description: str = ""
) -> Questionnaire:
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Skriv en tittel.")})
    if kind not in Questionnaire.Kind.values:
        raise ValidationError({"kind": _("Ukjent type skjema.")})
    base = slugify(slug or title)[:70] or "skjema"
    if slug and Questionnaire.objects.filter(slug=base).exists():
        raise ValidationError({"slug": _("Kortnavnet %(slug)s er i bruk.") % {"slug": base}})
    candidate, n = base, 2
    while Questionnaire.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    questionnaire = Questionnaire.objects.create(
        owner=owner, title=title, kind=kind, slug=candidate, description=description
    )
    QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    return questionnaire


Actor = Membership | User | None
"""Who makes a change: the acting membership (pages), a user, or None (commands, demo loading)."""

CONDITION_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.SCALE)
UP, DOWN = "up", "down"


def _log(
    actor: Actor,
    version: QuestionnaireVersion,
    *,
    obj: Section | Question | QuestionnaireVersion,
    label: str,
    action: str,
    changes: dict[str, Any] | None = None,
    object_id: int | None = None,
) -> None:
    """Append a row to the questionnaire's change log (inside the writing service's transaction)."""
    user = actor.user if isinstance(actor, Membership) else actor
    AuthoringChange.objects.create(
        version=version,
        user=user,
        username=user.get_username() if user is not None else "",
        organisation=actor.organisation if isinstance(actor, Membership) else None,
        object_type=obj._meta.model_name or "",
        object_id=object_id if object_id is not None else obj.pk,
        object_label=label[:200],
        action=action,
        changes=changes or {},
    )


def has_answers(version: QuestionnaireVersion) -> bool:
    return (
        Response.objects.filter(version=version).exists()
        or SatisfactionAnswer.objects.filter(version=version).exists()
    )


def edit_refusal(version: QuestionnaireVersion) -> str:
    """Why the version cannot be changed ("" when it can): it is published, or answers point to it."""
    if version.is_locked:
        return _("Versjon %(n)s er publisert og kan ikke endres. Lag en ny versjon.") % {"n": version.number}
    if has_answers(version):
        return _("Versjon %(n)s har svar og kan ikke endres. Lag en ny versjon.") % {"n": version.number}
    return ""


def _editable(version: QuestionnaireVersion) -> None:
    refusal = edit_refusal(version)
    if refusal:
        raise ValidationError(refusal)


def _locked_draft(version_id: int) -> QuestionnaireVersion:
    """The version, locked for this transaction, after checking that it may change."""
    version = (
        QuestionnaireVersion.objects.select_for_update().select_related("questionnaire").get(pk=version_id)
    )
    _editable(version)
    return version


def describe(question: Question) -> str:
    """A question as authors know it: variable name and the start of its text."""
    return f"{question.name} «{Truncator(question.text).chars(60)}»"


def _ordered(version: QuestionnaireVersion) -> tuple[list[Section], list[Question]]:
    """Sections in their order and every question in the version's order (sections first, then questions)."""
    sections = list(version.sections.order_by("order", "pk"))
    position = {s.pk: index for index, s in enumerate(sections)}
    questions = sorted(
        version.questions.prefetch_related("options"), key=lambda q: (position[q.section_id], q.order, q.pk)
    )
    return sections, questions


def _save_order(items: Sequence[Section | Question]) -> None:
    """Number the items 1, 2, … in the given order, writing only those that changed."""
    changed = []
    for number, item in enumerate(items, start=1):
        if item.order != number:
            item.order = number
            changed.append(item)
    if changed:
        model: Any = type(changed[0])
        model.objects.bulk_update(changed, ["order"])


def _renumber(version: QuestionnaireVersion) -> None:
    sections, questions = _ordered(version)
    _save_order(sections)
    _save_order(questions)


def _placed_last_in_section(
    others: Sequence[Question], question: Question, section: Section, sections: Sequence[Section]
) -> list[Question]:
    """`others` (in order) with `question` placed after the last question of `section`."""
    position = {s.pk: index for index, s in enumerate(sections)}
    at = max(
        (i + 1 for i, q in enumerate(others) if position[q.section_id] <= position[section.pk]), default=0
    )
    return [*others[:at], question, *others[at:]]


def order_problems(questions: Sequence[Question]) -> list[str]:
    """A condition builds on an earlier question: one message per question placed before its condition's."""
    names = {q.name for q in questions}
    seen: set[str] = set()
    problems = []
    for q in questions:
        if q.condition_question in names and q.condition_question not in seen:
            parent = next(p for p in questions if p.name == q.condition_question)
            problems.append(
                _("%(q)s må komme etter %(parent)s, fordi det bare vises ut fra svaret på det.")
                % {"q": describe(q), "parent": describe(parent)}
            )
        seen.add(q.name)
    return problems


def question_dependents(question: Question) -> list[Question]:
    """Questions in the same version that are shown only from the answer to `question` (their condition)."""
    return list(
        Question.objects.filter(version_id=question.version_id, condition_question=question.name)
        .exclude(pk=question.pk)
        .order_by("order", "pk")
    )


def section_outside_dependents(section: Section) -> list[Question]:
    """Questions in other sections whose condition builds on a question in `section`."""
    names = list(section.questions.values_list("name", flat=True))
    return list(
        Question.objects.filter(version_id=section.version_id, condition_question__in=names)
        .exclude(section=section)
        .order_by("order", "pk")
    )


_Item = TypeVar("_Item", Section, Question)


def _current(items: Sequence[_Item], pk: int | None) -> _Item:
    """The item with `pk` as it is now, inside the transaction (gone meanwhile: a Norwegian message)."""
    for item in items:
        if item.pk == pk:
            return item
    raise ValidationError(_("Spørsmålet eller delen finnes ikke lenger. Last siden på nytt."))


def _listed(questions: Iterable[Question]) -> str:
    return "; ".join(describe(q) for q in questions)


@transaction.atomic
def section_add(
    *, version: QuestionnaireVersion, title: str, description: str = "", actor: Actor = None
) -> Section:
    version = _locked_draft(version.pk)
    if not title.strip():
        raise ValidationError({"title": _("Skriv en tittel på delen.")})
    order = version.sections.count() + 1
    section = Section.objects.create(
        version=version, order=order, title=title.strip(), description=description.strip()
    )
    _renumber(version)
    _log(
        actor,
        version,
        obj=section,
        label=section.title,
        action="created",
        changes={"title": [None, section.title]},
    )
    return section


@transaction.atomic
def section_update(*, actor: Actor, section: Section, title: str, description: str = "") -> Section:
    version = _locked_draft(section.version_id)
    section = _current(list(version.sections.all()), section.pk)
    title, description = title.strip(), description.strip()
    if not title:
        raise ValidationError({"title": _("Skriv en tittel på delen.")})
    changes = {
        field: [old, new]
        for field, old, new in (
            ("title", section.title, title),
            ("description", section.description, description),
        )
        if old != new
    }
    if changes:
        section.title, section.description = title, description
        section.save(update_fields=["title", "description"])
        _log(actor, version, obj=section, label=section.title, action="changed", changes=changes)
    return section


@transaction.atomic
def section_delete(*, actor: Actor, section: Section) -> int:
    """Delete a section with its questions; refused when a question elsewhere builds a condition on one of
    them. Returns how many questions went with it."""
    version = _locked_draft(section.version_id)
    section = _current(list(version.sections.all()), section.pk)
    outside = section_outside_dependents(section)
    if outside:
        raise ValidationError(
            _(
                "Delen kan ikke slettes, fordi spørsmål i andre deler bare vises ut fra svar i den: "
                "%(list)s. Endre eller fjern vilkårene deres først."
            )
            % {"list": _listed(outside)}
        )
    names = list(section.questions.order_by("order", "pk").values_list("name", flat=True))
    pk = section.pk
    section.delete()
    _renumber(version)
    _log(
        actor,
        version,
        obj=section,
        object_id=pk,
        label=section.title,
        action="removed",
        changes={"title": [section.title, None], "questions": [names, None]},
    )
    return len(names)


@transaction.atomic
def section_move(*, actor: Actor, section: Section, direction: str) -> Section:
    """Swap the section with the one before (`up`) or after (`down`); its questions go with it."""
    version = _locked_draft(section.version_id)
    sections, _questions = _ordered(version)
    index = sections.index(_current(sections, section.pk))
    target = _neighbour(
        index,
        len(sections),
        direction,
        first=_("Delen er allerede den første."),
        last=_("Delen er allerede den siste."),
    )
    sections[index], sections[target] = sections[target], sections[index]
    position = {s.pk: i for i, s in enumerate(sections)}
    questions = sorted(version.questions.all(), key=lambda q: (position[q.section_id], q.order, q.pk))
    problems = order_problems(questions)
    if problems:
        raise ValidationError(problems)
    _save_order(sections)
    _save_order(questions)
    moved = sections[target]
    _log(
        actor,
        version,
        obj=moved,
        label=moved.title,
        action="moved",
        changes={"order": [index + 1, target + 1]},
    )
    return moved


def _neighbour(index: int, count: int, direction: str, *, first: str, last: str) -> int:
    if direction not in (UP, DOWN):
        raise ValidationError(_("Velg om du vil flytte opp eller ned."))
    target = index - 1 if direction == UP else index + 1
    if target < 0:
        raise ValidationError(first)
    if target >= count:
        raise ValidationError(last)
    return target


@dataclass
class QuestionSpec:
    name: str
    text: str
    type: str
    required: bool = False
    help_text: str = ""
    options: Sequence[tuple[str, str] | tuple[str, str, bool]] = ()
    items: Sequence[tuple[str, str]] = ()
    condition_question: str = ""
    condition_values: Sequence[str] = ()
    min_value: int | None = None
    max_value: int | None = None


def question_problems(
    spec: QuestionSpec, *, earlier: Mapping[str, QuestionSpec], taken: Collection[str] | None = None
) -> dict[str, str]:
    """What is wrong with a question, given the questions before it in the version ({field: message}).

    `taken`: the other questions' names in the version (default: those in `earlier`)."""
    problems: dict[str, str] = {}
    taken = earlier if taken is None else taken
    if not NAME_RE.match(spec.name):
        problems["name"] = _(
            "Variabelnavnet må begynne med en liten bokstav og bare ha små bokstaver a–z, tall og _ "
            "(høyst 60 tegn)."
        )
    elif spec.name in taken:
        problems["name"] = _("Variabelnavnet %(name)s er allerede brukt i skjemaet.") % {"name": spec.name}
    if not spec.text.strip():
        problems["text"] = _("Skriv spørsmålsteksten.")
    if spec.type not in QuestionType.values:
        problems["type"] = _("Ukjent spørsmålstype «%(type)s».") % {"type": spec.type}
        return problems
    if spec.type in CHOICE_TYPES:
        values = [str(o[0]) for o in spec.options]
        if len(values) < 2:
            problems["options"] = _("Et valgspørsmål trenger minst to svaralternativer.")
        elif len(set(values)) != len(values):
            problems["options"] = _("Kodene for svaralternativene må være ulike.")
        elif any(not v or not re.match(r"^[A-Za-z0-9_.-]+$", v) for v in values):
            problems["options"] = _("Kodene kan bare ha bokstaver, tall, punktum, bindestrek og _.")
    elif spec.options:
        problems["options"] = _("Bare valgspørsmål har svaralternativer.")
    if spec.type in (QuestionType.MATRIX, QuestionType.COLLABORATION):
        names = [str(i[0]) for i in spec.items]
        if not names:
            problems["items"] = _("Skriv minst én linje (påstand eller samarbeidspartner).")
        elif len(set(names)) != len(names) or any(not NAME_RE.match(n) for n in names):
            problems["items"] = _("Linjenes koder må være ulike, med små bokstaver a–z, tall og _.")
    elif spec.items:
        problems["items"] = _("Bare matriser og samarbeidsrutenett har linjer.")
    if spec.condition_question:
        parent = earlier.get(spec.condition_question)
        if parent is None and spec.condition_question in taken:
            problems["condition_question"] = _(
                "Vilkåret må vise til et spørsmål som kommer før dette (%(name)s kommer etter)."
            ) % {"name": spec.condition_question}
        elif parent is None:
            problems["condition_question"] = _(
                "Vilkåret må vise til et spørsmål som kommer før dette (%(name)s finnes ikke)."
            ) % {"name": spec.condition_question}
        elif parent.type not in CONDITION_TYPES:
            problems["condition_question"] = _("Vilkår kan bare bygge på ett valg, flere valg eller skala.")
        elif not spec.condition_values:
            problems["condition_values"] = _("Skriv hvilke svar som viser spørsmålet.")
        else:
            known = {str(o[0]) for o in parent.options}
            unknown = [v for v in spec.condition_values if v not in known]
            if unknown:
                problems["condition_values"] = _("Ukjente koder i vilkåret: %(codes)s.") % {
                    "codes": ", ".join(unknown)
                }
    if spec.min_value is not None and spec.max_value is not None and spec.min_value > spec.max_value:
        problems["max_value"] = _("Største verdi må være minst like stor som minste verdi.")
    return problems


def _create_question(
    version: QuestionnaireVersion, section: Section, spec: QuestionSpec, order: int
) -> Question:
    question = Question.objects.create(
        version=version,
        section=section,
        order=order,
        name=spec.name,
        text=spec.text.strip(),
        help_text=spec.help_text.strip(),
        type=spec.type,
        required=spec.required,
        items=[{"name": str(i[0]), "label": str(i[1])} for i in spec.items],
        condition_question=spec.condition_question,
        condition_values=[str(v) for v in spec.condition_values],
        min_value=spec.min_value,
        max_value=spec.max_value,
    )
    Option.objects.bulk_create(
        [
            Option(
                question=question,
                order=index,
                value=str(option[0]),
                label=str(option[1]),
                not_applicable=bool(option[2]) if len(option) > 2 else False,  # type: ignore[misc]
            )
            for index, option in enumerate(spec.options, start=1)
        ]
    )
    return question


def _specs(questions: Iterable[Question]) -> dict[str, QuestionSpec]:
    return {q.name: _spec_of(q) for q in questions}


@transaction.atomic
def question_add(
    *, version: QuestionnaireVersion, section: Section, spec: QuestionSpec, actor: Actor = None
) -> Question:
    """Add a question at the end of `section`."""
    version = _locked_draft(version.pk)
    if section.version_id != version.pk:
        raise ValidationError({"section": _("Delen hører ikke til denne versjonen.")})
    sections, questions = _ordered(version)
    placeholder = Question(version=version, section=section, name=spec.name)
    sequence = _placed_last_in_section(questions, placeholder, section, sections)
    before = sequence[: sequence.index(placeholder)]
    problems = question_problems(spec, earlier=_specs(before), taken={q.name for q in questions})
    if problems:
        raise ValidationError(problems)
    question = _create_question(version, section, spec, order=sequence.index(placeholder) + 1)
    sequence[sequence.index(placeholder)] = question
    _save_order(sequence)
    _log(
        actor, version, obj=question, label=question.name, action="created", changes=_spec_changes(None, spec)
    )
    return question


def _spec_values(spec: QuestionSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "text": spec.text.strip(),
        "help_text": spec.help_text.strip(),
        "type": spec.type,
        "required": spec.required,
        "options": [
            [str(o[0]), str(o[1]), bool(o[2]) if len(o) > 2 else False]  # type: ignore[misc]
            for o in spec.options
        ],
        "items": [[str(i[0]), str(i[1])] for i in spec.items],
        "condition_question": spec.condition_question,
        "condition_values": [str(v) for v in spec.condition_values],
        "min_value": spec.min_value,
        "max_value": spec.max_value,
    }


def _spec_changes(old: QuestionSpec | None, new: QuestionSpec | None) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that differ (None for a side that does not exist)."""
    before = _spec_values(old) if old is not None else {}
    after = _spec_values(new) if new is not None else {}
    return {
        key: [before.get(key), after.get(key)]
        for key in (after or before)
        if before.get(key) != after.get(key)
    }


def _dependent_problems(
    spec: QuestionSpec, dependents: Sequence[Question], sequence: Sequence[Question], own: Question
) -> dict[str, str]:
    """What an edit would break in the questions whose condition builds on this one."""
    if not dependents:
        return {}
    problems: dict[str, str] = {}
    if spec.type not in CONDITION_TYPES:
        problems["type"] = _(
            "Vilkår i andre spørsmål bygger på dette, så det må være ett valg, flere valg eller skala: "
            "%(list)s."
        ) % {"list": _listed(dependents)}
        return problems
    codes = {str(o[0]) for o in spec.options}
    broken = [
        f"{describe(d)} ({', '.join(v for v in d.condition_values if v not in codes)})"
        for d in dependents
        if any(v not in codes for v in d.condition_values)
    ]
    if broken:
        problems["options"] = _(
            "Vilkår i andre spørsmål bruker koder som da ikke finnes lenger: %(list)s. "
            "Behold kodene, eller endre vilkårene først."
        ) % {"list": "; ".join(broken)}
    index = sequence.index(own)
    before = [d for d in dependents if sequence.index(d) < index]
    if before:
        problems["section"] = _("Spørsmålet må komme før spørsmålene som bygger vilkår på det: %(list)s.") % {
            "list": _listed(before)
        }
    return problems


@transaction.atomic
def question_update(*, actor: Actor, question: Question, section: Section, spec: QuestionSpec) -> Question:
    """Change a question (in a draft). Moved to another section it goes last there. A new variable name is
    carried over to the conditions that build on it; anything else that would break such a condition (type,
    codes, placing) is refused with the questions listed."""
    version = _locked_draft(question.version_id)
    if section.version_id != version.pk:
        raise ValidationError({"section": _("Delen hører ikke til denne versjonen.")})
    sections, questions = _ordered(version)
    own = _current(questions, question.pk)
    others = [q for q in questions if q.pk != own.pk]
    sequence = (
        questions if section.pk == own.section_id else _placed_last_in_section(others, own, section, sections)
    )
    before = sequence[: sequence.index(own)]
    dependents = [q for q in others if q.condition_question == own.name]
    problems = question_problems(spec, earlier=_specs(before), taken={q.name for q in others})
    problems = {**_dependent_problems(spec, dependents, sequence, own), **problems}
    if problems:
        raise ValidationError(problems)
    old_spec = _spec_of(own)
    changes: dict[str, Any] = _spec_changes(old_spec, spec)
    if own.section_id != section.pk:
        changes["section"] = [own.section.title, section.title]
    if not changes:
        return own
    _apply_spec(own, spec, section)
    _save_order(sequence)
    if own.name != old_spec.name and dependents:
        Question.objects.filter(pk__in=[d.pk for d in dependents]).update(condition_question=own.name)
        changes["conditions_renamed"] = [None, [d.name for d in dependents]]
    _log(actor, version, obj=own, label=own.name, action="changed", changes=changes)
    return own


def _apply_spec(question: Question, spec: QuestionSpec, section: Section) -> None:
    values = _spec_values(spec)
    question.section = section
    for field_name in ("name", "text", "help_text", "type", "required", "condition_question"):
        setattr(question, field_name, values[field_name])
    question.condition_values = values["condition_values"]
    question.min_value, question.max_value = values["min_value"], values["max_value"]
    question.items = [{"name": name, "label": label} for name, label in values["items"]]
    question.save()
    old_options = [[o.value, o.label, o.not_applicable] for o in question.options.all()]
    if old_options != values["options"]:
        Option.objects.filter(question=question).delete()
        Option.objects.bulk_create(
            [
                Option(question=question, order=index, value=value, label=label, not_applicable=na)
                for index, (value, label, na) in enumerate(values["options"], start=1)
            ]
        )


@transaction.atomic
def question_delete(*, actor: Actor, question: Question) -> None:
    """Delete a question (in a draft); refused while another question's condition builds on it."""
    version = _locked_draft(question.version_id)
    question = _current(list(version.questions.prefetch_related("options")), question.pk)
    dependents = question_dependents(question)
    if dependents:
        raise ValidationError(
            _(
                "Spørsmålet kan ikke slettes, fordi disse spørsmålene bare vises ut fra svaret på det: "
                "%(list)s. Endre eller fjern vilkårene deres først."
            )
            % {"list": _listed(dependents)}
        )
    old_spec, pk = _spec_of(question), question.pk
    question.delete()
    _renumber(version)
    _log(
        actor,
        version,
        obj=question,
        object_id=pk,
        label=old_spec.name,
        action="removed",
        changes=_spec_changes(old_spec, None),
    )


@transaction.atomic
def question_move(*, actor: Actor, question: Question, direction: str) -> Question:
    """Swap the question with the one before (`up`) or after (`down`) in its section."""
    version = _locked_draft(question.version_id)
    _sections, questions = _ordered(version)
    own = _current(questions, question.pk)
    in_section = [q for q in questions if q.section_id == own.section_id]
    index = in_section.index(own)
    target = _neighbour(
        index,
        len(in_section),
        direction,
        first=_("Spørsmålet er allerede det første i delen. Endre delen for å flytte det til en annen del."),
        last=_("Spørsmålet er allerede det siste i delen. Endre delen for å flytte det til en annen del."),
    )
    other = in_section[target]
    a, b = questions.index(own), questions.index(other)
    questions[a], questions[b] = questions[b], questions[a]
    problems = order_problems(questions)
    if problems:
        raise ValidationError(problems)
    _save_order(questions)
    _log(
        actor,
        version,
        obj=own,
        label=own.name,
        action="moved",
        changes={"order": [a + 1, b + 1]},
    )
    return own


def version_problems(version: QuestionnaireVersion) -> list[str]:
    problems = []
    if not version.questions.exists():
        problems.append(_("Skjemaet har ingen spørsmål."))
    for section in version.sections.all():
        if not section.questions.exists():
            problems.append(_("Delen «%(title)s» har ingen spørsmål.") % {"title": section.title})
    return problems


@transaction.atomic
def version_publish(*, version: QuestionnaireVersion, actor: Actor = None) -> QuestionnaireVersion:
    version = _locked_draft(version.pk)
    problems = version_problems(version)
    if problems:
        raise ValidationError(problems)
    version.status = QuestionnaireVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    _log(
        actor,
        version,
        obj=version,
        label=f"v{version.number}",
        action="published",
        changes={"status": [QuestionnaireVersion.Status.DRAFT, QuestionnaireVersion.Status.PUBLISHED]},
    )
    return version


@transaction.atomic
def version_new_from(*, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """A new draft copying `version` (which stays as it is)."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=version.questionnaire_id)
    if questionnaire.versions.filter(status=QuestionnaireVersion.Status.DRAFT).exists():
        raise ValidationError(_("Skjemaet har allerede et utkast. Publiser eller rediger det."))
    number = (questionnaire.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    new = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=number)
    order = 0
    for section in version.sections.order_by("order", "pk"):
        new_section = Section.objects.create(
            version=new, order=section.order, title=section.title, description=section.description
        )
        for q in section.questions.order_by("order", "pk").prefetch_related("options"):
            order += 1
            _create_question(new, new_section, _spec_of(q), order)
    return new


@transaction.atomic
def questionnaire_copy(
    *, version: QuestionnaireVersion, owner: Organisation, title: str = ""
) -> Questionnaire:
    """A new questionnaire owned by `owner` with a draft copied from `version` (to adapt a shipped one)."""
    source = version.questionnaire
    copy = questionnaire_create(
        owner=owner,
        title=title.strip() or _("%(title)s (kopi)") % {"title": source.title},
        kind=source.kind,
        description=source.description,
    )
    draft = copy.versions.get()
    order = 0
    for section in version.sections.order_by("order", "pk"):
        new_section = Section.objects.create(
            version=draft, order=section.order, title=section.title, description=section.description
        )
        for q in section.questions.order_by("order", "pk").prefetch_related("options"):
            order += 1
            _create_question(draft, new_section, _spec_of(q), order)
    return copy


def _spec_of(q: Question) -> QuestionSpec:
    return QuestionSpec(
        name=q.name,
        text=q.text,
        type=q.type,
        required=q.required,
        help_text=q.help_text,
        options=[(o.value, o.label, o.not_applicable) for o in q.options.all()],
        items=[(str(i["name"]), str(i["label"])) for i in q.items],
        condition_question=q.condition_question,
        condition_values=list(q.condition_values),
        min_value=q.min_value,
        max_value=q.max_value,
    )


@dataclass
class FormSpec:
    """A whole questionnaire as data (default questionnaires, demo, XLSForm import)."""

    title: str
    sections: list[tuple[str, str, list[QuestionSpec]]] = field(default_factory=list)


def form_spec_problems(spec: FormSpec) -> list[str]:
    problems: list[str] = []
    earlier: dict[str, QuestionSpec] = {}
    if not spec.title.strip():
        problems.append(_("Skjemaet mangler tittel."))
    if not spec.sections:
        problems.append(_("Skjemaet har ingen deler eller spørsmål."))
    for title, _description, questions in spec.sections:
        if not questions:
            problems.append(_("Delen «%(title)s» har ingen spørsmål.") % {"title": title})
        for q in questions:
            for key, message in question_problems(q, earlier=earlier).items():
                problems.append(f"{q.name or '?'} ({key}): {message}")
            earlier.setdefault(q.name, q)
    return problems


@transaction.atomic
def questionnaire_from_spec(
    *, spec: FormSpec, owner: Organisation | None, kind: str, slug: str = "", publish: bool = True
) -> Questionnaire:
    problems = form_spec_problems(spec)
    if problems:
        raise ValidationError(problems)
    questionnaire = questionnaire_create(owner=owner, title=spec.title, kind=kind, slug=slug)
    version = questionnaire.versions.get()
    order = 0
    for index, (title, description, questions) in enumerate(spec.sections, start=1):
        section = Section.objects.create(version=version, order=index, title=title, description=description)
        for q in questions:
            order += 1
            _create_question(version, section, q, order)
    if publish:
        version_publish(version=version)
    return questionnaire


# ---------------------------------------------------------------------------------------------------------
# National survey: population, e-mail, tracking
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def national_survey_create(
    *,
    owner: Organisation,
    title: str,
    version: QuestionnaireVersion,
    frame_year: int,
    slug: str = "",
    reminder_interval_days: int = 7,
    max_reminders: int = 2,
) -> NationalSurvey:
    """A survey whose population is the frame of `frame_year`; one invitation per municipality."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Skriv en tittel.")
    if not version.is_locked:
        errors["version"] = _("Bare publiserte skjemaversjoner kan sendes ut.")
    elif version.questionnaire.kind != Questionnaire.Kind.NATIONAL:
        errors["version"] = _("Velg et skjema for nasjonale undersøkelser.")
    rows = list(frame(frame_year))
    if not rows:
        errors["frame_year"] = _("Det finnes ingen kommuneramme for %(year)s.") % {"year": frame_year}
    base = slugify(slug or title)[:70]
    if not base:
        errors["slug"] = _("Skriv et kortnavn.")
    elif NationalSurvey.objects.filter(slug=base).exists():
        errors["slug"] = _("Kortnavnet %(slug)s er i bruk.") % {"slug": base}
    if reminder_interval_days < 1:
        errors["reminder_interval_days"] = _("Minst én dag mellom påminnelser.")
    if errors:
        raise ValidationError(errors)
    survey = NationalSurvey.objects.create(
        slug=base,
        title=title.strip(),
        version=version,
        owner=owner,
        frame_year=frame_year,
        reminder_interval_days=reminder_interval_days,
        max_reminders=max_reminders,
    )
    organisations = {
        o.kommunenummer: o
        for o in Organisation.objects.filter(
            kind=Organisation.Kind.MUNICIPALITY, kommunenummer__in=[r.kommunenummer for r in rows]
        )
    }
    Invitation.objects.bulk_create(
        [
            Invitation(
                survey=survey,
                kommunenummer=row.kommunenummer,
                name=row.name,
                municipality=organisations.get(row.kommunenummer),
                email=(
                    organisations[row.kommunenummer].contact_email
                    if row.kommunenummer in organisations and organisations[row.kommunenummer].contact_email
                    else PLACEHOLDER_EMAIL.format(kommunenummer=row.kommunenummer)
                ),
            )
            for row in rows
        ]
    )
    return survey


def respondent_url(invitation: Invitation, base_url: str = "") -> str:
    base = (base_url or invitation.survey.base_url or default_base_url()).rstrip("/")
    return base + reverse("surveys:respond", kwargs={"token": invitation.token})


def _invitation_message(invitation: Invitation, *, reminder: bool) -> EmailMessage:
    survey = invitation.survey
    link = respondent_url(invitation)
    if reminder:
        subject = _("Påminnelse: %(title)s") % {"title": survey.title}
        intro = _("Vi har ennå ikke fått svar fra %(name)s kommune.") % {"name": invitation.name}
    else:
        subject = _("Spørreundersøkelse: %(title)s") % {"title": survey.title}
        intro = _(
            "%(name)s kommune er invitert til å svare på en undersøkelse om det kommunale rusarbeidet."
        ) % {"name": invitation.name}
    body = "\n\n".join(
        [
            _("Hei,"),
            intro,
            _(
                "Send gjerne e-posten videre til den som har det faglige ansvaret for rusarbeidet "
                "i kommunen. "
                "Lenken er kommunens egen; svarene lagres underveis, og du kan fortsette senere."
            ),
            link,
            _("Med vennlig hilsen\n%(owner)s") % {"owner": survey.owner.name},
        ]
    )
    return EmailMessage(subject=subject, body=body, to=[invitation.email])


@transaction.atomic
def national_survey_open(*, survey: NationalSurvey, base_url: str = "") -> NationalSurvey:
    survey = NationalSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == NationalSurvey.Status.CLOSED:
        raise ValidationError(_("Undersøkelsen er avsluttet."))
    survey.status = NationalSurvey.Status.OPEN
    survey.opened_at = survey.opened_at or timezone.now()
    survey.base_url = (base_url or survey.base_url or default_base_url()).rstrip("/")
    survey.save(update_fields=["status", "opened_at", "base_url"])
    return survey


@transaction.atomic
def national_survey_close(*, survey: NationalSurvey) -> NationalSurvey:
    survey = NationalSurvey.objects.select_for_update().get(pk=survey.pk)
    survey.status = NationalSurvey.Status.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    return survey


def send_invitations(*, survey_id: int) -> int:
    """Send the first e-mail to every invitation not yet sent. Returns how many were sent.

    Each e-mail is recorded in its own transaction, so a failure half-way leaves the sent ones marked and the
    rest to be retried.
    """
    survey = NationalSurvey.objects.select_related("owner").get(pk=survey_id)
    if survey.status != NationalSurvey.Status.OPEN:
        return 0
    sent = 0
    connection = get_connection()
    with connection:
        for invitation in survey.invitations.filter(sent_at__isnull=True).select_related("survey__owner"):
            message = _invitation_message(invitation, reminder=False)
            message.connection = connection
            message.send()
            now = timezone.now()
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, last_contact_at=now)
            sent += 1
    return sent


def reminders_due(survey: NationalSurvey, now: datetime | None = None) -> list[Invitation]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=survey.reminder_interval_days)
    return list(
        survey.invitations.filter(
            sent_at__isnull=False,
            completed_at__isnull=True,
            covered_by__isnull=True,
            reminders_sent__lt=survey.max_reminders,
            last_contact_at__lte=cutoff,
        ).select_related("survey__owner")
    )


def send_reminders(*, survey_id: int, now: datetime | None = None, force: bool = False) -> int:
    """Remind municipalities that have not answered and were last contacted `reminder_interval_days` ago.

    ``force`` reminds every non-responder now (the "send påminnelse nå" button), still at most
    ``max_reminders`` times.
    """
    survey = NationalSurvey.objects.select_related("owner").get(pk=survey_id)
    if survey.status != NationalSurvey.Status.OPEN:
        return 0
    if force:
        due = list(
            survey.invitations.filter(
                sent_at__isnull=False,
                completed_at__isnull=True,
                covered_by__isnull=True,
                reminders_sent__lt=survey.max_reminders,
            ).select_related("survey__owner")
        )
    else:
        due = reminders_due(survey, now)
    connection = get_connection()
    with connection:
        for invitation in due:
            message = _invitation_message(invitation, reminder=True)
            message.connection = connection
            message.send()
            Invitation.objects.filter(pk=invitation.pk).update(
                reminders_sent=invitation.reminders_sent + 1, last_contact_at=now or timezone.now()
            )
    return len(due)


@transaction.atomic
def invitation_email_set(*, invitation: Invitation, email: str) -> Invitation:
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Skriv en gyldig e-postadresse.")}) from None
    invitation.email = email
    invitation.save(update_fields=["email"])
    return invitation


def cover_candidates(invitation: Invitation) -> list[Invitation]:
    """Other municipalities in the same survey that share a cooperation with this one (for a joint answer)."""
    if invitation.municipality is None:
        return []
    member_ids: set[int] = set()
    for cooperation in cooperations_of(invitation.municipality):
        member_ids |= current_member_ids(cooperation)
    member_ids.discard(invitation.municipality.pk)
    return list(
        Invitation.objects.filter(survey=invitation.survey_id, municipality_id__in=member_ids)
        .filter(completed_at__isnull=True)
        .filter(covered_by__isnull=True)
        .order_by("name")
    )


@transaction.atomic
def invitation_opened(*, invitation: Invitation) -> None:
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())


class SurveyClosed(Exception):
    pass


@transaction.atomic
def response_save(
    *,
    invitation: Invitation,
    data: Mapping[str, Any],
    final: bool,
    covers: Iterable[str] = (),
) -> tuple[Response | None, dict[str, str]]:
    """Save a municipality's answers (a draft, or the final submit). Returns (response, errors).

    With errors nothing is written for a final submit; a draft keeps the valid answers and reports the rest.
    ``covers``: kommunenummer of cooperation partners this answer also covers (recorded on their invitations).
    """
    invitation = Invitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
    survey = invitation.survey
    if survey.status != NationalSurvey.Status.OPEN:
        raise SurveyClosed
    if invitation.completed_at is not None:
        raise ValidationError(_("Svaret er allerede sendt inn."))
    form = engine.load_form(survey.version)
    cleaned, errors = engine.clean_answers(form, data, final=final)
    covers = list(covers)
    allowed_covers = {i.kommunenummer: i for i in cover_candidates(invitation)}
    unknown = [k for k in covers if k not in allowed_covers]
    if unknown:
        errors["__covers__"] = _("Svaret kan bare gjelde kommuner i samme samarbeid som ennå ikke har svart.")
    if final and errors:
        return None, errors
    now = timezone.now()
    response, _created = Response.objects.get_or_create(
        invitation=invitation, defaults={"version": survey.version, "data": {}}
    )
    response.data = cleaned
    if final:
        response.submitted_at = now
    response.save()
    invitation.started_at = invitation.started_at or now
    invitation.opened_at = invitation.opened_at or now
    if final:
        invitation.completed_at = now
        Invitation.objects.filter(pk__in=[allowed_covers[k].pk for k in covers]).update(covered_by=invitation)
    invitation.save(update_fields=["started_at", "opened_at", "completed_at"])
    return response, errors


@dataclass
class ResponsesImportReport:
    errors: list[str] = field(default_factory=list)
    imported: int = 0


@transaction.atomic
def responses_import(*, survey: NationalSurvey, text: str) -> ResponsesImportReport:
    """CSV with one row per municipality: `kommunenummer` plus one column per flat variable name (or question
    name for simple questions). All or nothing: any bad row gives a report and nothing is written."""
    report = ResponsesImportReport()
    form = engine.load_form(survey.version)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    if "kommunenummer" not in header:
        report.errors.append(_("Linje 1: kolonnen «kommunenummer» mangler."))
        return report
    variables = {name: (q, item, dim) for name, _label, q, item, dim in engine.variables(form)}
    unknown = [h for h in header if h != "kommunenummer" and h not in variables]
    if unknown:
        report.errors.append(_("Linje 1: ukjente kolonner: %(cols)s.") % {"cols": ", ".join(unknown)})
        return report
    invitations = {i.kommunenummer: i for i in survey.invitations.all()}
    seen: set[str] = set()
    parsed: list[tuple[Invitation, dict[str, Any]]] = []
    for line, row in enumerate(reader, start=2):
        knr = (row.get("kommunenummer") or "").strip().zfill(4)
        if knr not in invitations:
            report.errors.append(
                _("Linje %(line)s: kommunenummer %(knr)s er ikke i kommunerammen for %(year)s.")
                % {"line": line, "knr": knr, "year": survey.frame_year}
            )
            continue
        if knr in seen:
            report.errors.append(
                _("Linje %(line)s: kommune %(knr)s står flere ganger.") % {"line": line, "knr": knr}
            )
            continue
        seen.add(knr)
        if None in row:
            report.errors.append(
                _("Linje %(line)s: flere verdier enn kolonner i overskriften.") % {"line": line}
            )
            continue
        data: dict[str, Any] = {}
        for column, raw in row.items():
            if column == "kommunenummer" or raw is None or str(raw).strip() == "":
                continue
            q, item, dim = variables[column]
            value = str(raw).strip()
            if q.type == QuestionType.MULTIPLE:
                if value not in ("0", "1"):
                    report.errors.append(
                        _("Linje %(line)s, %(col)s: skriv 1 (valgt) eller 0.") % {"line": line, "col": column}
                    )
                    continue
                if value == "1":
                    data.setdefault(q.name, []).append(item)
            elif q.type == QuestionType.MATRIX:
                data.setdefault(q.name, {})[item] = value
            elif q.type == QuestionType.COLLABORATION:
                data.setdefault(q.name, {}).setdefault(item, {})[dim] = value
            else:
                data[q.name] = value
        cleaned, errors = engine.clean_answers(form, data, final=False)
        for name, message in errors.items():
            report.errors.append(
                _("Linje %(line)s, %(name)s: %(message)s") % {"line": line, "name": name, "message": message}
            )
        parsed.append((invitations[knr], cleaned))
    if report.errors:
        return report
    now = timezone.now()
    for invitation, cleaned in parsed:
        Response.objects.update_or_create(
            invitation=invitation,
            defaults={"version": survey.version, "data": cleaned, "submitted_at": now, "imported": True},
        )
        Invitation.objects.filter(pk=invitation.pk).update(
            completed_at=now, started_at=invitation.started_at or now
        )
        report.imported += 1
    return report


# ---------------------------------------------------------------------------------------------------------
# Coding open answers
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def theme_add(*, survey: NationalSurvey, question_name: str, name: str, description: str = "") -> Theme:
    form = engine.load_form(survey.version)
    question = form.questions.get(question_name)
    if question is None or question.type not in (QuestionType.TEXT, QuestionType.LONGTEXT):
        raise ValidationError({"question_name": _("Velg et åpent spørsmål.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv navnet på temaet.")})
    if Theme.objects.filter(survey=survey, question_name=question_name, name__iexact=name).exists():
        raise ValidationError({"name": _("Temaet finnes allerede i kodeboken.")})
    return Theme.objects.create(
        survey=survey, question_name=question_name, name=name, description=description
    )


@transaction.atomic
def answer_codes_set(
    *, survey: NationalSurvey, question_name: str, codes: Mapping[int, Iterable[int]]
) -> int:
    """Set the themes of open answers: {response id: [theme ids]} replaces their codes for this question."""
    themes = {t.pk: t for t in Theme.objects.filter(survey=survey, question_name=question_name)}
    responses = {
        r.pk: r
        for r in Response.objects.filter(
            invitation__survey=survey, pk__in=list(codes), submitted_at__isnull=False
        )
    }
    for response_id, theme_ids in codes.items():
        if response_id not in responses or any(t not in themes for t in theme_ids):
            raise ValidationError(_("Ukjent svar eller tema."))
    CodedAnswer.objects.filter(response_id__in=list(codes), theme__in=list(themes.values())).delete()
    CodedAnswer.objects.bulk_create(
        [
            CodedAnswer(response=responses[response_id], theme=themes[theme_id])
            for response_id, theme_ids in codes.items()
            for theme_id in set(theme_ids)
        ]
    )
    return len(codes)


# ---------------------------------------------------------------------------------------------------------
# Unit satisfaction survey (anonymous)
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def satisfaction_survey_create(
    *,
    unit: Organisation,
    version: QuestionnaireVersion,
    title: str = "",
    min_answers: int | None = None,
    round_name: str = "",
) -> SatisfactionSurvey:
    errors: dict[str, str] = {}
    if unit.kind != Organisation.Kind.UNIT:
        errors["unit"] = _("Brukerundersøkelser gjelder en tjeneste/enhet.")
    if not version.is_locked or version.questionnaire.kind != Questionnaire.Kind.SATISFACTION:
        errors["version"] = _("Velg en publisert versjon av et skjema for brukertilfredshet.")
    minimum = settings.MESTRING_SUPPRESSION["min_group_size"] if min_answers is None else min_answers
    if minimum < 1:
        errors["min_answers"] = _("Minste antall svar må være minst 1.")
    if errors:
        raise ValidationError(errors)
    survey = SatisfactionSurvey.objects.create(
        unit=unit,
        version=version,
        title=title.strip() or version.questionnaire.title,
        min_answers=minimum,
    )
    today = timezone.localdate()
    SatisfactionRound.objects.create(survey=survey, name=round_name or str(today.year), opened_on=today)
    return survey


@transaction.atomic
def satisfaction_round_start(*, survey: SatisfactionSurvey, name: str) -> SatisfactionRound:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Gi runden et navn, for eksempel «Høst 2026».")})
    if survey.rounds.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Undersøkelsen har allerede en runde med dette navnet.")})
    today = timezone.localdate()
    survey.rounds.filter(closed_on__isnull=True).update(closed_on=today)
    return SatisfactionRound.objects.create(survey=survey, name=name, opened_on=today)


@transaction.atomic
def satisfaction_submit(*, survey: SatisfactionSurvey, data: Mapping[str, Any]) -> dict[str, str]:
    """Store one anonymous answer in the current round. Returns errors (then nothing is stored).

    Nothing about the respondent is stored: not the IP address, session, token, user or time of day.
    """
    current = survey.current_round()
    if current is None:
        raise SurveyClosed
    form = engine.load_form(survey.version)
    cleaned, errors = engine.clean_answers(form, data, final=True)
    if errors:
        return errors
    if not cleaned:
        return {"__all__": _("Svar på minst ett spørsmål før du sender inn.")}
    SatisfactionAnswer.objects.create(
        round=current, version=survey.version, data=cleaned, submitted_on=timezone.localdate()
    )
    return {}
