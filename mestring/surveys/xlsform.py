"""XLSForm import and export, so questionnaires move to and from ODK, KoboToolbox and Nettskjema users.

Mapping (an extra column ``mestring_type`` keeps what XLSForm has no word for; pyxform ignores it):

* a top-level ``begin_group`` is a section (a ``note`` right after it is the section's introduction);
* ``select_one L`` → single choice (``appearance=likert`` or ``mestring_type=scale``: graded scale);
  ``select_multiple L`` → multiple choice; ``integer``/``decimal`` → number (``constraint``
  ``. >= a and . <= b`` gives the limits); ``text`` → short text (``appearance=multiline``: long text);
* a group inside a section with ``appearance=table-list`` (or ``mestring_type=matrix``) is a matrix: its
  ``select_one`` rows are named ``<matrix>__<item>`` and share one list;
* a group with ``mestring_type=collaboration`` is a collaboration grid with rows
  ``<grid>__<partner>__<need|actual|quality>``;
* ``relevant``: ``${q} = 'v'`` or ``selected(${q}, 'v')``, several joined by ``or``; ``required``: yes/true;
* the choices sheet's ``mestring_not_applicable`` column marks the "ikke relevant" option.

Every import is checked twice: by our own rules (a list of problems with sheet row numbers) and by pyxform's
conversion to XForm; any problem means nothing is imported.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from mestring.surveys import engine
from mestring.surveys.authoring import FormSpec, QuestionSpec, form_spec_problems
from mestring.surveys.engine import COLLAB_DIMENSIONS
from mestring.surveys.models import QuestionnaireVersion, QuestionType

SURVEY_COLUMNS = [
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "appearance",
    "constraint",
    "mestring_type",
]
COLLAB_LIST = "samarbeid_{dimension}"
_RELEVANT_PART = re.compile(
    r"^\s*(?:\$\{(?P<q1>[a-z][a-z0-9_]*)\}\s*=\s*'(?P<v1>[^']*)'|selected\(\s*\$\{(?P<q2>[a-z][a-z0-9_]*)\}\s*,\s*'(?P<v2>[^']*)'\s*\))\s*$"
)


# An imported sheet may have at most this many rows (the shipped national questionnaire has about 50; the
# benchmark 200 questions): a file of a few MB can otherwise hold millions of cells and tie up a worker.
MAX_ROWS = {"survey": 2000, "choices": 10000, "settings": 10}
MAX_COLUMNS = 100


class XLSFormError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------


def _relevant(q: engine.QuestionDef, form: engine.Form) -> str:
    if not q.condition_question:
        return ""
    parent = form.questions[q.condition_question]
    if parent.type == QuestionType.MULTIPLE:
        parts = [f"selected(${{{parent.name}}}, '{v}')" for v in q.condition_values]
    else:
        parts = [f"${{{parent.name}}} = '{v}'" for v in q.condition_values]
    return " or ".join(parts)


def _constraint(q: engine.QuestionDef) -> str:
    parts = []
    if q.min_value is not None:
        parts.append(f". >= {q.min_value}")
    if q.max_value is not None:
        parts.append(f". <= {q.max_value}")
    return " and ".join(parts)


def export_xlsform(version: QuestionnaireVersion) -> bytes:
    form = engine.load_form(version)
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label", "mestring_not_applicable"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append([form.title, version.questionnaire.slug.replace("-", "_"), str(version.number)])

    def row(**values: Any) -> None:
        survey.append([values.get(c, "") or None for c in SURVEY_COLUMNS])

    def add_list(name: str, options: list[tuple[str, str, bool]]) -> None:
        for value, label, na in options:
            choices.append([name, value, label, "yes" if na else None])

    for index, section in enumerate(form.sections, start=1):
        row(type="begin_group", name=f"del_{index}", label=section.title, appearance="field-list")
        if section.description:
            row(type="note", name=f"del_{index}_innledning", label=section.description)
        for q in section.questions:
            required = "yes" if q.required else ""
            relevant = _relevant(q, form)
            options = [(o.value, o.label, o.not_applicable) for o in q.options]
            list_name = f"{q.name}_valg"
            if q.type in (QuestionType.SINGLE, QuestionType.SCALE):
                add_list(list_name, options)
                row(
                    type=f"select_one {list_name}",
                    name=q.name,
                    label=q.text,
                    hint=q.help_text,
                    required=required,
                    relevant=relevant,
                    appearance="likert" if q.type == QuestionType.SCALE else "",
                    mestring_type="scale" if q.type == QuestionType.SCALE else "",
                )
            elif q.type == QuestionType.MULTIPLE:
                add_list(list_name, options)
                row(
                    type=f"select_multiple {list_name}",
                    name=q.name,
                    label=q.text,
                    hint=q.help_text,
                    required=required,
                    relevant=relevant,
                )
            elif q.type == QuestionType.NUMBER:
                row(
                    type="decimal",
                    name=q.name,
                    label=q.text,
                    hint=q.help_text,
                    required=required,
                    relevant=relevant,
                    constraint=_constraint(q),
                )
            elif q.type in (QuestionType.TEXT, QuestionType.LONGTEXT):
                row(
                    type="text",
                    name=q.name,
                    label=q.text,
                    hint=q.help_text,
                    required=required,
                    relevant=relevant,
                    appearance="multiline" if q.type == QuestionType.LONGTEXT else "",
                )
            elif q.type == QuestionType.MATRIX:
                add_list(list_name, options)
                row(
                    type="begin_group",
                    name=q.name,
                    label=q.text,
                    hint=q.help_text,
                    relevant=relevant,
                    appearance="table-list",
                    mestring_type="matrix",
                )
                for item, label in q.items:
                    row(
                        type=f"select_one {list_name}",
                        name=f"{q.name}__{item}",
                        label=label,
                        required=required,
                    )
                row(type="end_group")
            elif q.type == QuestionType.COLLABORATION:
                row(
                    type="begin_group",
                    name=q.name,
                    label=q.text,
                    hint=q.help_text,
                    relevant=relevant,
                    appearance="field-list",
                    mestring_type="collaboration",
                )
                for partner, label in q.items:
                    for dimension, dim_label, _opts in COLLAB_DIMENSIONS:
                        row(
                            type=f"select_one {COLLAB_LIST.format(dimension=dimension)}",
                            name=f"{q.name}__{partner}__{dimension}",
                            label=f"{label}: {dim_label}",
                            required=required,
                        )
                row(type="end_group")
        row(type="end_group")
    if any(q.type == QuestionType.COLLABORATION for q in form.questions.values()):
        for dimension, _label, _opts in COLLAB_DIMENSIONS:
            add_list(
                COLLAB_LIST.format(dimension=dimension),
                [(v, lab, v == engine.COLLAB_NOT_RELEVANT[0]) for v, lab in engine.collab_options(dimension)],
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------------------


def _sheet_rows(workbook: Any, name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(lower-case header, [(sheet row number, {column: text})]) of the non-empty rows; XLSFormError when the
    sheet has more rows than `MAX_ROWS` allows (read row by row, so a huge sheet is never loaded whole)."""
    if name not in workbook.sheetnames:
        return [], []
    sheet = workbook[name]
    limit = MAX_ROWS.get(name, MAX_ROWS["survey"])
    lines = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    first = next(lines, None)
    if first is None:
        return [], []
    header = [str(h).strip().lower() if h is not None else "" for h in first]
    rows: list[tuple[int, dict[str, str]]] = []
    for number, line in enumerate(lines, start=2):
        values = {
            header[i]: ("" if v is None else str(v).strip()) for i, v in enumerate(line) if i < len(header)
        }
        if any(values.values()):
            if len(rows) >= limit:
                raise XLSFormError(
                    [
                        _(
                            "Arket «%(sheet)s» har mer enn %(n)s utfylte rader (rad %(row)s). "
                            "Del opp skjemaet."
                        )
                        % {"sheet": name, "n": f"{limit:,}".replace(",", "\u00a0"), "row": number}
                    ]
                )
            rows.append((number, values))
    return header, rows


def _parse_relevant(text: str) -> tuple[str, list[str]] | None:
    if not text:
        return "", []
    question = ""
    values = []
    for part in re.split(r"\s+or\s+", text):
        match = _RELEVANT_PART.match(part)
        if not match:
            return None
        name = match.group("q1") or match.group("q2")
        if question and name != question:
            return None
        question = name
        values.append(match.group("v1") if match.group("q1") else match.group("v2"))
    return question, values


def _parse_constraint(text: str) -> tuple[int | None, int | None]:
    low = re.search(r"\.\s*>=\s*(-?\d+)", text or "")
    high = re.search(r"\.\s*<=\s*(-?\d+)", text or "")
    return (int(low.group(1)) if low else None, int(high.group(1)) if high else None)


def parse_xlsform(content: bytes) -> tuple[FormSpec, str]:
    """(questionnaire spec, form_id) from an XLSForm file; raises XLSFormError with every problem found."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise XLSFormError([_("Filen er ikke en gyldig Excel-fil (.xlsx).")]) from None
    problems: list[str] = []
    header, survey_rows = _sheet_rows(workbook, "survey")
    if not header:
        raise XLSFormError([_("Arket «survey» mangler eller er tomt.")])
    for column in ("type", "name", "label"):
        if column not in header:
            problems.append(_("Arket «survey» mangler kolonnen «%(col)s».") % {"col": column})
    _ch, choice_rows = _sheet_rows(workbook, "choices")
    lists: dict[str, list[tuple[str, str, bool]]] = OrderedDict()
    for number, values in choice_rows:
        list_name, name, label = values.get("list_name", ""), values.get("name", ""), values.get("label", "")
        if not list_name or not name:
            problems.append(_("choices, rad %(row)s: list_name og name må fylles ut.") % {"row": number})
            continue
        na = values.get("mestring_not_applicable", "").lower() in ("yes", "true", "1", "ja")
        lists.setdefault(list_name, []).append((name, label or name, na))
    _sh, settings_rows = _sheet_rows(workbook, "settings")
    settings = settings_rows[0][1] if settings_rows else {}
    title = settings.get("form_title", "") or _("Importert skjema")
    form_id = settings.get("form_id", "")
    if problems:
        raise XLSFormError(problems)

    spec = FormSpec(title=title)
    current: tuple[str, str, list[QuestionSpec]] | None = None
    group: dict[str, Any] | None = None
    awaiting_intro = False
    in_section = False
    section_row, section_name = 0, ""

    def section() -> tuple[str, str, list[QuestionSpec]]:
        nonlocal current
        if current is None:
            current = (title, "", [])
            spec.sections.append(current)
        return current

    def options_of(list_name: str, number: int) -> list[tuple[str, str, bool]]:
        if list_name not in lists:
            problems.append(
                _("survey, rad %(row)s: svarlisten «%(list)s» finnes ikke i arket «choices».")
                % {"row": number, "list": list_name}
            )
            return []
        return lists[list_name]

    for number, values in survey_rows:
        kind = re.sub(r"\s+", " ", values.get("type", "")).strip()
        name = values.get("name", "")
        label = values.get("label", "")
        hint = values.get("hint", "")
        required = values.get("required", "").lower() in ("yes", "true", "1", "ja", "true()")
        appearance = values.get("appearance", "").lower()
        mestring_type = values.get("mestring_type", "").lower()
        relevant = _parse_relevant(values.get("relevant", ""))
        if relevant is None:
            problems.append(
                _(
                    "survey, rad %(row)s: vilkåret «%(expr)s» støttes ikke "
                    "(bruk ${spørsmål} = 'kode' eller selected(...))."
                )
                % {"row": number, "expr": values.get("relevant", "")}
            )
            relevant = ("", [])
        base = kind.split(" ")[0] if kind else ""
        if base in ("begin_group", "begin group"):
            is_grid = mestring_type in ("matrix", "collaboration") or appearance == "table-list"
            if group is not None or (in_section and not is_grid):
                problems.append(
                    _("survey, rad %(row)s: grupper inne i grupper støttes ikke.") % {"row": number}
                )
                continue
            if not in_section:
                if current is not None and not current[2] and current[0] == title and len(spec.sections) == 1:
                    spec.sections.pop()
                current = (label or name, "", [])
                spec.sections.append(current)
                in_section = True
                section_row, section_name = number, name or label
                awaiting_intro = True
                continue
            group = {
                "type": QuestionType.COLLABORATION
                if mestring_type == "collaboration"
                else QuestionType.MATRIX,
                "name": name,
                "text": label,
                "hint": hint,
                "relevant": relevant,
                "items": [],
                "list": "",
                "required": False,
                "row": number,
            }
            continue
        if base in ("end_group", "end group"):
            if group is not None:
                items = group["items"]
                section()[2].append(
                    QuestionSpec(
                        name=group["name"],
                        text=group["text"],
                        type=group["type"],
                        required=group["required"],
                        help_text=group["hint"],
                        options=lists.get(group["list"], []) if group["type"] == QuestionType.MATRIX else [],
                        items=items,
                        condition_question=group["relevant"][0],
                        condition_values=group["relevant"][1],
                        row=group["row"],
                    )
                )
                group = None
            else:
                current = None
                in_section = False
            continue
        if base == "note":
            if awaiting_intro and current is not None:
                spec.sections[-1] = (current[0], label, current[2])
                current = spec.sections[-1]
            awaiting_intro = False
            continue
        awaiting_intro = False
        if group is not None:
            if base != "select_one":
                problems.append(
                    _(
                        "survey, rad %(row)s: en matrise eller et samarbeidsrutenett "
                        "kan bare ha select_one-rader."
                    )
                    % {"row": number}
                )
                continue
            parts = name.split("__")
            list_name = kind.split(" ", 1)[1] if " " in kind else ""
            options_of(list_name, number)
            group["required"] = group["required"] or required
            if group["type"] == QuestionType.MATRIX:
                if len(parts) != 2 or parts[0] != group["name"]:
                    problems.append(
                        _("survey, rad %(row)s: raden i matrisen må hete %(group)s__<kode>.")
                        % {"row": number, "group": group["name"]}
                    )
                    continue
                if group["list"] and group["list"] != list_name:
                    problems.append(
                        _("survey, rad %(row)s: alle rader i en matrise må bruke samme svarliste.")
                        % {"row": number}
                    )
                group["list"] = list_name
                group["items"].append((parts[1], label or parts[1]))
            else:
                if (
                    len(parts) != 3
                    or parts[0] != group["name"]
                    or parts[2] not in ("need", "actual", "quality")
                ):
                    problems.append(
                        _(
                            "survey, rad %(row)s: raden i samarbeidsrutenettet må hete "
                            "%(group)s__<aktør>__need|actual|quality."
                        )
                        % {"row": number, "group": group["name"]}
                    )
                    continue
                if parts[1] not in [i[0] for i in group["items"]]:
                    group["items"].append((parts[1], (label.rsplit(": ", 1)[0] if label else parts[1])))
            continue
        question_type = ""
        options: list[tuple[str, str, bool]] = []
        min_value = max_value = None
        if base == "select_one":
            list_name = kind.split(" ", 1)[1] if " " in kind else ""
            options = options_of(list_name, number)
            question_type = (
                QuestionType.SCALE
                if (mestring_type == "scale" or "likert" in appearance)
                else QuestionType.SINGLE
            )
        elif base == "select_multiple":
            options = options_of(kind.split(" ", 1)[1] if " " in kind else "", number)
            question_type = QuestionType.MULTIPLE
        elif base in ("integer", "decimal"):
            question_type = QuestionType.NUMBER
            min_value, max_value = _parse_constraint(values.get("constraint", ""))
        elif base == "text":
            question_type = QuestionType.LONGTEXT if "multiline" in appearance else QuestionType.TEXT
        elif base in ("calculate", "start", "end", "today", "deviceid", "username", "audit", "hidden"):
            continue  # metadata: nothing to ask
        else:
            problems.append(
                _("survey, rad %(row)s: spørsmålstypen «%(type)s» støttes ikke.")
                % {"row": number, "type": kind or "?"}
            )
            continue
        section()[2].append(
            QuestionSpec(
                name=name,
                text=label,
                type=question_type,
                required=required,
                help_text=hint,
                options=options,
                condition_question=relevant[0],
                condition_values=relevant[1],
                min_value=min_value,
                max_value=max_value,
                row=number,
            )
        )
    if group is not None:
        problems.append(
            _("survey, rad %(row)s: gruppen «%(name)s» mangler end_group.")
            % {"row": group["row"], "name": group["name"]}
        )
    elif in_section:
        problems.append(
            _("survey, rad %(row)s: gruppen «%(name)s» mangler end_group.")
            % {"row": section_row, "name": section_name}
        )
    if not problems:
        problems.extend(form_spec_problems(spec))
    if not problems:
        problems.extend(pyxform_problems(content))
    if problems:
        raise XLSFormError(problems)
    return spec, form_id


def pyxform_problems(content: bytes) -> list[str]:
    """What pyxform says when converting the file to an XForm (empty when it converts)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=content, file_type=".xlsx")
    except PyXFormError as exc:
        return [_("pyxform: %(message)s") % {"message": str(exc)}]
    except Exception as exc:
        return [_("pyxform kunne ikke lese skjemaet: %(message)s") % {"message": str(exc)}]
    return []
