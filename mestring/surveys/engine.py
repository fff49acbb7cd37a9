"""The questionnaire engine: a version as plain data, conditional display, reading and validating answers.

`load_form(version)` reads a version once into a `Form` (sections, questions, options) so that a respondent
page,
validation and the analysis do not query per question. Answers are a dict ``{question name: value}`` (see
models.py for the value shapes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from mestring.surveys.models import CHOICE_TYPES, QuestionnaireVersion, QuestionType

# The collaboration grid asks three things about each partner (002 chapter 5), each on its own scale.
COLLAB_DIMENSIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "need",
        "Behov for samarbeid",
        [("4", "Svært stort"), ("3", "Ganske stort"), ("2", "Ganske lite"), ("1", "Svært lite")],
    ),
    (
        "actual",
        "Faktisk samarbeid",
        [("4", "Svært mye"), ("3", "Ganske mye"), ("2", "Ganske lite"), ("1", "Svært lite")],
    ),
    (
        "quality",
        "Hvor godt fungerer samarbeidet",
        [
            ("5", "Svært godt"),
            ("4", "Ganske godt"),
            ("3", "Verken godt eller dårlig"),
            ("2", "Ganske dårlig"),
            ("1", "Svært dårlig"),
        ],
    ),
]
COLLAB_NOT_RELEVANT = ("9", "Ikke relevant")
MAX_NUMBER = Decimal(10) ** 12
"""Numbers beyond this are refused (and huge exponents never become Python integers)."""


def collab_options(dimension: str) -> list[tuple[str, str]]:
    for key, _label, options in COLLAB_DIMENSIONS:
        if key == dimension:
            return [*options, COLLAB_NOT_RELEVANT]
    raise KeyError(dimension)


@dataclass(frozen=True)
class OptionDef:
    value: str
    label: str
    not_applicable: bool = False


@dataclass(frozen=True)
class QuestionDef:
    name: str
    text: str
    type: str
    required: bool = False
    help_text: str = ""
    options: tuple[OptionDef, ...] = ()
    items: tuple[tuple[str, str], ...] = ()
    condition_question: str = ""
    condition_values: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    section: str = ""
    pk: int = 0
    number: int = 0
    """Position in the version (1, 2, …): sections in their order, then questions in theirs."""

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def type_label(self) -> str:
        return str(QuestionType(self.type).label)

    @property
    def option_labels(self) -> dict[str, str]:
        return {o.value: o.label for o in self.options}

    def input_id(self, *parts: str) -> str:
        return "-".join(["q", self.name, *parts])


@dataclass(frozen=True)
class SectionDef:
    title: str
    description: str
    questions: tuple[QuestionDef, ...]
    pk: int = 0


@dataclass(frozen=True)
class Form:
    title: str
    sections: tuple[SectionDef, ...]
    questions: dict[str, QuestionDef] = field(default_factory=dict)

    def question(self, name: str) -> QuestionDef:
        return self.questions[name]


_FORM_CACHE: dict[tuple[int, str], Form] = {}
_FORM_CACHE_SIZE = 256


def load_form(version: QuestionnaireVersion) -> Form:
    """The version as plain data: three queries whatever its size.

    A published version never changes, so its form is cached in the process (keyed by id and publication
    time); drafts are read fresh every time.
    """
    if version.is_locked and version.published_at is not None:
        key = (version.pk, version.published_at.isoformat())
        form = _FORM_CACHE.get(key)
        if form is None:
            form = _build_form(version)
            if len(_FORM_CACHE) >= _FORM_CACHE_SIZE:
                _FORM_CACHE.clear()
            _FORM_CACHE[key] = form
        return form
    return _build_form(version)


def _build_form(version: QuestionnaireVersion) -> Form:
    sections = list(version.sections.order_by("order", "pk"))
    questions = list(version.questions.order_by("order", "pk").prefetch_related("options"))
    by_section: dict[int, list[Any]] = {s.pk: [] for s in sections}
    for q in questions:
        by_section[q.section_id].append(q)
    all_questions: dict[str, QuestionDef] = {}
    section_defs = []
    # Sections in their order, then questions in theirs: the order respondents, exports and analysis see.
    for s in sections:
        definitions = []
        for q in by_section[s.pk]:
            definition = _question_def(q, s.title, number=len(all_questions) + 1)
            definitions.append(definition)
            all_questions[q.name] = definition
        section_defs.append(SectionDef(s.title, s.description, tuple(definitions), pk=s.pk))
    return Form(title=version.questionnaire.title, sections=tuple(section_defs), questions=all_questions)


def _question_def(q: Any, section_title: str, *, number: int) -> QuestionDef:
    return QuestionDef(
        name=q.name,
        text=q.text,
        type=q.type,
        required=q.required,
        help_text=q.help_text,
        options=tuple(
            OptionDef(o.value, o.label, o.not_applicable)
            for o in sorted(q.options.all(), key=lambda o: (o.order, o.pk))
        ),
        items=tuple((str(i["name"]), str(i["label"])) for i in q.items or []),
        condition_question=q.condition_question,
        condition_values=tuple(str(v) for v in q.condition_values or []),
        min_value=q.min_value,
        max_value=q.max_value,
        section=section_title,
        pk=q.pk,
        number=number,
    )


# ---------------------------------------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------------------------------------


def is_shown(question: QuestionDef, data: Mapping[str, Any], form: Form) -> bool:
    """Whether a question is shown given the answers so far (its condition's question must be shown too)."""
    if not question.condition_question:
        return True
    parent = form.questions.get(question.condition_question)
    if parent is None or not is_shown(parent, data, form):
        return False
    answer = data.get(question.condition_question)
    if isinstance(answer, list):
        return any(str(value) in question.condition_values for value in answer)
    return answer is not None and str(answer) in question.condition_values


# ---------------------------------------------------------------------------------------------------------
# Reading answers from a POST and validating them
# ---------------------------------------------------------------------------------------------------------


def read_post(form: Form, post: QueryDict) -> dict[str, Any]:
    """Answers from a respondent form's POST, in the stored shape. Empty inputs are left out."""
    data: dict[str, Any] = {}
    for q in form.questions.values():
        key = f"q-{q.name}"
        if q.type == QuestionType.MULTIPLE:
            values = [v for v in post.getlist(key) if v]
            if values:
                data[q.name] = values
        elif q.type == QuestionType.MATRIX:
            matrix = {item: post.get(f"{key}-{item}", "") for item, _label in q.items}
            matrix = {k: v for k, v in matrix.items() if v}
            if matrix:
                data[q.name] = matrix
        elif q.type == QuestionType.COLLABORATION:
            grid: dict[str, dict[str, str]] = {}
            for partner, _label in q.items:
                cells = {d: post.get(f"{key}-{partner}-{d}", "") for d, _l, _o in COLLAB_DIMENSIONS}
                cells = {k: v for k, v in cells.items() if v}
                if cells:
                    grid[partner] = cells
            if grid:
                data[q.name] = grid
        else:
            value = post.get(key, "").strip()
            if value:
                data[q.name] = value
    return data


def _number(raw: Any) -> Decimal | None:
    try:
        return Decimal(str(raw).replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError, ArithmeticError):
        return None


def clean_answers(
    form: Form, data: Mapping[str, Any], *, final: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate answers; returns (cleaned data, {question name: Norwegian error}).

    Answers to hidden questions (their condition is not met) and unknown names are dropped. With ``final``,
    required shown questions must be answered; a draft may be incomplete but never invalid.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in form.questions.values():
        if q.name not in data:
            continue
        value, error = _clean_one(q, data[q.name])
        if error:
            errors[q.name] = error
        elif value is not None:
            cleaned[q.name] = value
    # Drop hidden answers; evaluate on the cleaned data so a bad parent answer hides nothing by accident.
    for q in form.questions.values():
        if q.name in cleaned and not is_shown(q, cleaned, form):
            del cleaned[q.name]
        if q.name in errors and not is_shown(q, cleaned, form):
            del errors[q.name]
    if final:
        for q in form.questions.values():
            if q.required and q.name not in cleaned and q.name not in errors and is_shown(q, cleaned, form):
                errors[q.name] = _("Dette spørsmålet må besvares.")
            elif q.required and q.type in (QuestionType.MATRIX, QuestionType.COLLABORATION):
                answered = cleaned.get(q.name) or {}
                if q.name not in errors and is_shown(q, cleaned, form) and len(answered) < len(q.items):
                    errors[q.name] = _("Svar på alle linjene.")
    return cleaned, errors


def _clean_one(q: QuestionDef, raw: Any) -> tuple[Any, str]:
    allowed = {o.value for o in q.options}
    if q.type in (QuestionType.SINGLE, QuestionType.SCALE):
        value = str(raw)
        if value not in allowed:
            return None, _("Velg et av alternativene.")
        return value, ""
    if q.type == QuestionType.MULTIPLE:
        values = raw if isinstance(raw, list) else [raw]
        values = [str(v) for v in values]
        if any(v not in allowed for v in values):
            return None, _("Velg blant alternativene.")
        ordered = [o.value for o in q.options if o.value in values]
        return ordered or None, ""
    if q.type == QuestionType.NUMBER:
        number = _number(raw)
        if number is None or not number.is_finite():
            return None, _("Skriv et tall, for eksempel 12.")
        if number.adjusted() >= 12 or abs(number) > MAX_NUMBER:
            return None, _("Tallet er for stort.")
        if number != 0 and number.adjusted() < -6:
            number = Decimal(0)
        if q.min_value is not None and number < q.min_value:
            return None, _("Tallet kan ikke være mindre enn %(min)s.") % {"min": q.min_value}
        if q.max_value is not None and number > q.max_value:
            return None, _("Tallet kan ikke være større enn %(max)s.") % {"max": q.max_value}
        return (int(number) if number == number.to_integral_value() else float(number)), ""
    if q.type in (QuestionType.TEXT, QuestionType.LONGTEXT):
        # NUL cannot be stored in a JSON column on PostgreSQL; it is never part of a real answer.
        text = str(raw).replace("\x00", "").strip()
        limit = 300 if q.type == QuestionType.TEXT else 5000
        if len(text) > limit:
            return None, _("Teksten kan ikke være lengre enn %(n)s tegn.") % {"n": limit}
        return text or None, ""
    if q.type == QuestionType.MATRIX:
        if not isinstance(raw, Mapping):
            return None, _("Ugyldig svar.")
        items = {name for name, _label in q.items}
        out: dict[str, str] = {}
        for item, value in raw.items():
            if item not in items or str(value) not in allowed:
                return None, _("Velg et av alternativene på hver linje.")
            out[item] = str(value)
        return out or None, ""
    if q.type == QuestionType.COLLABORATION:
        if not isinstance(raw, Mapping):
            return None, _("Ugyldig svar.")
        partners = {name for name, _label in q.items}
        grid: dict[str, dict[str, str]] = {}
        for partner, cells in raw.items():
            if partner not in partners or not isinstance(cells, Mapping):
                return None, _("Ugyldig svar.")
            row: dict[str, str] = {}
            for dimension, value in cells.items():
                try:
                    codes = {code for code, _label in collab_options(str(dimension))}
                except KeyError:
                    return None, _("Ugyldig svar.")
                if str(value) not in codes:
                    return None, _("Velg et av alternativene på hver linje.")
                row[str(dimension)] = str(value)
            if row:
                grid[partner] = row
        return grid or None, ""
    return None, _("Ukjent spørsmålstype.")


def variables(form: Form) -> list[tuple[str, str, QuestionDef, str, str]]:
    """Flat variables for exports: (variable name, label, question, item, dimension).

    One variable per simple question; one per option of a multiple choice (0/1); one per matrix item; one per
    partner × dimension of a collaboration grid.
    """
    out: list[tuple[str, str, QuestionDef, str, str]] = []
    for q in form.questions.values():
        if q.type == QuestionType.MULTIPLE:
            for o in q.options:
                out.append((f"{q.name}_{o.value}", f"{q.text}: {o.label}", q, o.value, ""))
        elif q.type == QuestionType.MATRIX:
            for item, label in q.items:
                out.append((f"{q.name}_{item}", f"{q.text}: {label}", q, item, ""))
        elif q.type == QuestionType.COLLABORATION:
            for partner, label in q.items:
                for dimension, dim_label, _opts in COLLAB_DIMENSIONS:
                    out.append(
                        (f"{q.name}_{partner}_{dimension}", f"{label}: {dim_label}", q, partner, dimension)
                    )
        else:
            out.append((q.name, q.text, q, "", ""))
    return out


def variable_value(data: Mapping[str, Any], q: QuestionDef, item: str, dimension: str) -> Any:
    """The raw value of one flat variable from a response's data (None when not answered)."""
    answer = data.get(q.name)
    if answer is None:
        return None
    if q.type == QuestionType.MULTIPLE:
        return 1 if item in answer else 0
    if q.type == QuestionType.MATRIX:
        return answer.get(item)
    if q.type == QuestionType.COLLABORATION:
        return (answer.get(item) or {}).get(dimension)
    return answer


def variable_options(q: QuestionDef, dimension: str = "") -> list[tuple[str, str]]:
    """(value, label) of the categories of a flat variable."""
    if q.type == QuestionType.COLLABORATION:
        return collab_options(dimension)
    if q.type == QuestionType.MULTIPLE:
        return [("1", _("Valgt")), ("0", _("Ikke valgt"))]
    return [(o.value, o.label) for o in q.options]
