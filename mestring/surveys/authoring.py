"""Questionnaire authoring: questionnaires, versions, sections and questions (add, edit, move, delete,
publish, copy, build from an XLSForm spec). Keyword-only, typed, one transaction each; bad input raises
ValidationError with Norwegian messages (per field where there is one) and writes nothing. A published
version, or one with answers, refuses every change."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from mestring.accounts.models import Membership, User
from mestring.organisations.models import Organisation
from mestring.surveys.models import (
    CHOICE_TYPES,
    AuthoringChange,
    Option,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Response,
    SatisfactionAnswer,
    Section,
)

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


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
    # Where the question came from in an imported file (XLSForm sheet row), for messages.
    row: int | None = None


# Lengths of the stored fields (models.Question, Option, Section, Questionnaire), checked before writing so an
# import or a form never fails in the database.
MAX_TITLE = 200
MAX_QUESTION_TEXT = 500
MAX_HELP_TEXT = 500
MAX_OPTION_LABEL = 300
MAX_OPTION_CODE = 60


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
    elif len(spec.text) > MAX_QUESTION_TEXT:
        problems["text"] = _("Spørsmålsteksten kan ikke være lengre enn %(n)s tegn (den har %(len)s).") % {
            "n": MAX_QUESTION_TEXT,
            "len": len(spec.text),
        }
    if len(spec.help_text) > MAX_HELP_TEXT:
        problems["help_text"] = _("Hjelpeteksten kan ikke være lengre enn %(n)s tegn (den har %(len)s).") % {
            "n": MAX_HELP_TEXT,
            "len": len(spec.help_text),
        }
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
        elif any(len(v) > MAX_OPTION_CODE for v in values):
            problems["options"] = _("Kodene for svaralternativene kan ikke være lengre enn %(n)s tegn.") % {
                "n": MAX_OPTION_CODE
            }
        elif any(len(str(o[1])) > MAX_OPTION_LABEL for o in spec.options):
            problems["options"] = _("Teksten til et svaralternativ kan ikke være lengre enn %(n)s tegn.") % {
                "n": MAX_OPTION_LABEL
            }
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
    _copy_contents(version, into=new)
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
    _copy_contents(version, into=copy.versions.get())
    return copy


def _copy_contents(version: QuestionnaireVersion, *, into: QuestionnaireVersion) -> None:
    """Sections and questions of `version`, in order, into the empty draft `into`."""
    order = 0
    for section in version.sections.order_by("order", "pk"):
        new_section = Section.objects.create(
            version=into, order=section.order, title=section.title, description=section.description
        )
        for q in section.questions.order_by("order", "pk").prefetch_related("options"):
            order += 1
            _create_question(into, new_section, _spec_of(q), order)


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
    elif len(spec.title) > MAX_TITLE:
        problems.append(_("Tittelen kan ikke være lengre enn %(n)s tegn.") % {"n": MAX_TITLE})
    if not spec.sections:
        problems.append(_("Skjemaet har ingen deler eller spørsmål."))
    for title, _description, questions in spec.sections:
        if not questions:
            problems.append(_("Delen «%(title)s» har ingen spørsmål.") % {"title": title})
        if len(title) > MAX_TITLE and title != spec.title:
            problems.append(
                _("Delen «%(title)s …» har en tittel på mer enn %(n)s tegn.")
                % {"title": title[:40], "n": MAX_TITLE}
            )
        for q in questions:
            for message in question_problems(q, earlier=earlier).values():
                problems.append(f"{_question_place(q)}: {message}")
            earlier.setdefault(q.name, q)
    return problems


def _question_place(spec: QuestionSpec) -> str:
    """Where a problem is, in Norwegian: the sheet row of an imported question, and its name."""
    name = spec.name[:60] or "?"
    if spec.row is not None:
        return _("survey, rad %(row)s (%(name)s)") % {"row": spec.row, "name": name}
    return _("Spørsmålet %(name)s") % {"name": name}


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
