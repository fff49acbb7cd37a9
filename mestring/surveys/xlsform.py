"""XLSForm import and export, so questionnaires move to and from ODK, KoboToolbox and Nettskjema users.

Mapping (an extra column ``mestring_type`` keeps what XLSForm has no word for; pyxform ignores it):

* a top-level ``begin_group`` is a section (a ``note`` right after it is the section's introduction);
* ``select_one L`` → single choice (``appearance=likert`` or ``mestring_type=scale``: graded scale);
  ``select_multiple L`` → multiple choice; ``integer``/``decimal`` → number (``constraint``
  ``. >= a and . <= b`` gives the limits; any other constraint is refused);
  ``text`` → short text (``appearance=multiline``: long text);
* a group inside a section with ``appearance=table-list`` (or ``mestring_type=matrix``) is a matrix: its
  ``select_one`` rows are named ``<matrix>__<item>`` and share one list;
* a group with ``mestring_type=collaboration`` is a collaboration grid with rows
  ``<grid>__<partner>__<need|actual|quality>``;
* ``relevant``: ``${q} = 'v'`` or ``selected(${q}, 'v')``, several joined by ``or``; ``required``: yes/true;
* the choices sheet's ``mestring_not_applicable`` column marks the "ikke relevant" option.

Every import is checked twice: by our own rules (a list of problems with sheet row numbers) and by pyxform's
conversion to XForm, whose English messages are translated (`translate_pyxform_message`); any problem means
nothing is imported.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
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
# The only constraint the import understands: the limits of a number question (what the export writes).
_CONSTRAINT = re.compile(r"^\s*\.\s*[<>]=\s*-?\d+\s*(?:and\s+\.\s*[<>]=\s*-?\d+\s*)?$")
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
    header = [_column_key(h) for h in first]
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


def _column_key(heading: Any) -> str:
    """A column heading as the import knows it: lower case, except a language suffix after ``::``, which
    keeps its spelling so messages can name the column the author wrote (``label::Norsk bokmål (nb)``)."""
    if heading is None:
        return ""
    base, sep, language = str(heading).strip().partition("::")
    return base.strip().lower() + (sep + language.strip() if sep else "")


# Languages the import prefers, in order, after the settings' default_language and a column without a
# language: each family by the codes and names (lower case) XLSForm files in Norway use for it.
_LANGUAGE_FAMILIES: list[tuple[str, frozenset[str], frozenset[str]]] = [
    (
        gettext_noop("bokmål"),
        frozenset({"nb", "nob", "no", "nor"}),
        frozenset(
            {
                "norsk bokmål",
                "norwegian bokmål",
                "norwegian bokmal",
                "norsk bokmal",
                "bokmål",
                "bokmal",
                "norsk",
                "norwegian",
            }
        ),
    ),
    (
        gettext_noop("nynorsk"),
        frozenset({"nn", "nno"}),
        frozenset({"norsk nynorsk", "norwegian nynorsk", "nynorsk"}),
    ),
    (
        gettext_noop("engelsk"),
        frozenset({"en", "eng"}),
        frozenset({"english", "engelsk"}),
    ),
]
_LANGUAGE_CODE = re.compile(r"^(?:(?P<name>.*?)\s*\()?(?P<code>[a-z]{2,3})(?:[-_][a-z0-9]+)*\)?$")


def _language_code(language: str) -> str:
    """The language code of a column suffix: "nb" for ``nb``, ``Norsk bokmål (nb)`` or ``en-GB`` → "en";
    empty when the suffix is only a name ("Norsk")."""
    match = _LANGUAGE_CODE.match(language.strip().lower())
    if not match:
        return ""
    # A bare word of two or three letters is a code; a longer text needs the code in brackets.
    if match.group("name") is None and language.strip().endswith(")"):
        return ""
    return match.group("code")


def _language_family(language: str) -> int | None:
    """Index in `_LANGUAGE_FAMILIES` of a column suffix, or None for another language."""
    code = _language_code(language)
    name = re.sub(r"\s*\([^)]*\)\s*$", "", language.strip().lower())
    for index, (_name, codes, names) in enumerate(_LANGUAGE_FAMILIES):
        if code in codes or name in names:
            return index
    return None


def _same_language(language: str, other: str) -> bool:
    """Whether two column suffixes name one language ("nb", "Norsk bokmål (nb)", "nob"); "" (no suffix) is
    only itself."""
    if language.strip().lower() == other.strip().lower():
        return True
    if not language or not other:
        return False
    code = _language_code(language)
    if code and code == _language_code(other):
        return True
    family = _language_family(language)
    return family is not None and family == _language_family(other)


def _text_columns(header: list[str], column: str) -> dict[str, str]:
    """{language suffix ("" for none): column} of one text column (label, hint) in every language given."""
    found: dict[str, str] = {}
    for heading in header:
        base, sep, language = heading.partition("::")
        if base == column:
            found.setdefault(language if sep else "", heading)
    return found


def _pick_language(languages: list[str], default_language: str) -> str | None:
    """The language to import among a column's suffixes: the settings' default_language, a column without
    language, bokmål, nynorsk, English, else the first one; None when there is none."""
    if not languages:
        return None
    if default_language:
        for language in languages:
            if language and _same_language(language, default_language):
                return language
    if "" in languages:
        return ""
    for index in range(len(_LANGUAGE_FAMILIES)):
        for language in languages:
            if _language_family(language) == index:
                return language
    return languages[0]


def _language_short(language: str, default_language: str) -> str:
    """How the notice lists a language: its code, else its name as written."""
    if not language:
        return _language_short(default_language, "") if default_language else _("uten språkkode")
    return _language_code(language) or language


def _language_long(language: str, default_language: str) -> str:
    """How the notice names the language imported: "bokmål (nb)", "engelsk (en)", or the suffix as written."""
    if not language:
        if default_language:
            return _language_long(default_language, "")
        return _("teksten uten språkkode")
    family = _language_family(language)
    if family is None:
        return language
    code = _language_code(language)
    name = _(_LANGUAGE_FAMILIES[family][0])
    return f"{name} ({code})" if code else name


def _duplicate_columns(sheet: str, header: list[str]) -> list[str]:
    """A column named twice would silently lose one of them (and pyxform refuses it in English)."""
    seen: set[str] = set()
    problems = []
    for column in header:
        if column and column in seen:
            problems.append(
                _("Arket «%(sheet)s» har kolonnen «%(col)s» to ganger. Fjern eller gi nytt navn til den ene.")
                % {"sheet": sheet, "col": column}
            )
        seen.add(column)
    return problems


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


@dataclass
class XLSFormImport:
    """What an XLSForm file gave: the questionnaire, its form_id, and notices for the author (not problems:
    which language was imported when the texts come in several)."""

    spec: FormSpec
    form_id: str
    notices: list[str] = field(default_factory=list)


def parse_xlsform(content: bytes) -> tuple[FormSpec, str]:
    """(questionnaire spec, form_id) from an XLSForm file; raises XLSFormError with every problem found."""
    result = read_xlsform(content)
    return result.spec, result.form_id


def _language_notices(
    label_languages: list[str],
    text_columns: list[tuple[str, list[str], str | None]],
    chosen: str,
    default_language: str,
) -> list[str]:
    """The notice naming the language imported when the texts come in several, and one for each kind of
    text (hint, choice label) that had to come from another language."""
    languages: list[str] = []
    for language in [
        chosen,
        *label_languages,
        *(lang for _what, langs, _picked in text_columns for lang in langs),
    ]:
        if not any(_same_language(language, seen) for seen in languages):
            languages.append(language)
    if len(languages) < 2:
        return []
    notices = [
        _("Skjemaet har tekster på flere språk (%(languages)s); importerte %(language)s.")
        % {
            "languages": ", ".join(_language_short(lang, default_language) for lang in languages),
            "language": _language_long(chosen, default_language),
        }
    ]
    for what, _langs, picked in text_columns:
        if picked is not None and not _same_language(picked, chosen):
            notices.append(
                _("%(what)s er hentet fra %(language)s, fordi de ikke finnes på samme språk som spørsmålene.")
                % {"what": what, "language": _language_long(picked, default_language)}
            )
    return notices


def read_xlsform(content: bytes) -> XLSFormImport:
    """The questionnaire in an XLSForm file, with notices for the author; raises XLSFormError with every
    problem found.

    Texts may come in several languages (``label::nb``, ``label::English (en)``, ``hint::nn``): one language
    is imported, the settings' ``default_language`` first, then a column without language, bokmål, nynorsk,
    English, else the first one given (`_pick_language`); the hint and the choice labels follow it where they
    have it, else they are picked the same way."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise XLSFormError([_("Filen er ikke en gyldig Excel-fil (.xlsx).")]) from None
    problems: list[str] = []
    header, survey_rows = _sheet_rows(workbook, "survey")
    if not header:
        raise XLSFormError([_("Arket «survey» mangler eller er tomt.")])
    settings_header, settings_rows = _sheet_rows(workbook, "settings")
    settings = settings_rows[0][1] if settings_rows else {}
    default_language = settings.get("default_language", "")
    label_columns = _text_columns(header, "label")
    hint_columns = _text_columns(header, "hint")
    for column in ("type", "name", "label"):
        if column not in header and not (column == "label" and label_columns):
            problems.append(_("Arket «survey» mangler kolonnen «%(col)s».") % {"col": column})
    choice_header, choice_rows = _sheet_rows(workbook, "choices")
    choice_label_columns = _text_columns(choice_header, "label")
    language = _pick_language(list(label_columns), default_language) or ""

    def same_or_pick(columns: dict[str, str]) -> str | None:
        same = [other for other in columns if _same_language(other, language)]
        return same[0] if same else _pick_language(list(columns), default_language)

    hint_language = same_or_pick(hint_columns)
    choice_language = same_or_pick(choice_label_columns)
    label_column = label_columns.get(language, "label")
    hint_column = hint_columns[hint_language] if hint_language is not None else None
    choice_label_column = choice_label_columns[choice_language] if choice_language is not None else None
    notices = _language_notices(
        list(label_columns),
        [
            (_("Hjelpetekstene (hint)"), list(hint_columns), hint_language),
            (_("Tekstene på svaralternativene"), list(choice_label_columns), choice_language),
        ],
        language,
        default_language,
    )
    lists: dict[str, list[tuple[str, str, bool]]] = OrderedDict()
    choice_seen: dict[tuple[str, str], int] = {}
    # Reported first but not fatal here: the survey sheet is still checked, so one upload lists everything.
    choice_problems: list[str] = []
    for number, values in choice_rows:
        list_name, name = values.get("list_name", ""), values.get("name", "")
        label = values.get(choice_label_column, "") if choice_label_column else ""
        if not list_name or not name:
            problems.append(_("choices, rad %(row)s: list_name og name må fylles ut.") % {"row": number})
            continue
        earlier_row = choice_seen.setdefault((list_name, name), number)
        if earlier_row != number:
            choice_problems.append(
                _(
                    "choices, rad %(row)s: koden «%(name)s» finnes allerede i svarlisten «%(list)s» "
                    "(rad %(earlier)s). Kodene i en svarliste må være ulike."
                )
                % {"row": number, "name": name, "list": list_name, "earlier": earlier_row}
            )
        na = values.get("mestring_not_applicable", "").lower() in ("yes", "true", "1", "ja")
        lists.setdefault(list_name, []).append((name, label or name, na))
    for sheet_name, sheet_header in (
        ("survey", header),
        ("choices", choice_header),
        ("settings", settings_header),
    ):
        problems.extend(_duplicate_columns(sheet_name, sheet_header))
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
        label = values.get(label_column, "")
        hint = values.get(hint_column, "") if hint_column else ""
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
        if base in ("select_one", "select_multiple") and len(kind.split(" ")) != 2:
            if " " not in kind:
                problems.append(
                    _(
                        "survey, rad %(row)s: «%(type)s» mangler navnet på svarlisten "
                        "(skriv for eksempel «%(type)s ja_nei»)."
                    )
                    % {"row": number, "type": base}
                )
            else:
                problems.append(
                    _(
                        "survey, rad %(row)s: typen «%(kind)s» må skrives «%(type)s listenavn», med ett "
                        "listenavn uten mellomrom (or_other støttes ikke)."
                    )
                    % {"row": number, "kind": kind, "type": base}
                )
            continue
        constraint = values.get("constraint", "")
        if constraint and not (base in ("integer", "decimal") and _CONSTRAINT.match(constraint)):
            problems.append(
                _(
                    "survey, rad %(row)s: begrensningen «%(expr)s» støttes ikke (bare tallspørsmål kan ha "
                    "en begrensning, skrevet . >= minst and . <= høyst, med hele tall)."
                )
                % {"row": number, "expr": constraint}
            )
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
            elif in_section:
                current = None
                in_section = False
            else:
                problems.append(
                    _("survey, rad %(row)s: end_group uten en begin_group foran.") % {"row": number}
                )
            continue
        if base == "note":
            if not label and not hint:
                problems.append(
                    _("survey, rad %(row)s: merknaden «%(name)s» mangler tekst (kolonnen «%(col)s»).")
                    % {"row": number, "name": name or "?", "col": label_column}
                )
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
    if not problems and not choice_problems:
        problems.extend(pyxform_problems(content))
    if problems or choice_problems:
        raise XLSFormError(choice_problems + problems)
    return XLSFormImport(spec=spec, form_id=form_id, notices=notices)


# pyxform's messages for the mistakes that get past our own rules (recorded against pyxform 4.5), translated.
# Each pattern is matched against the message after its "[row : N]" prefix; the named groups fill the
# Norwegian text. Anything else falls back to a Norwegian sentence with the English original in parentheses.
_PYXFORM_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Unknown question type '(?P<type>[^']*)'"),
        gettext_noop("spørsmålstypen «%(type)s» finnes ikke i XLSForm."),
    ),
    (
        re.compile(r"List name not in choices sheet: (?P<list>.*)"),
        gettext_noop("svarlisten «%(list)s» finnes ikke i arket «choices»."),
    ),
    (
        re.compile(r"the 'name' value 'meta' is invalid\. The name 'meta' is reserved"),
        gettext_noop("navnet «meta» er reservert for skjemaets metadata. Velg et annet navn."),
    ),
    (
        re.compile(
            r"the 'name' value '(?P<name>[^']*)' is invalid\. Questions, groups, and repeats must be unique"
        ),
        gettext_noop(
            "navnet «%(name)s» er brukt før i samme gruppe (eller øverst i skjemaet). "
            "Spørsmål og grupper må ha ulike navn."
        ),
    ),
    (
        re.compile(r"the '(?P<column>[^']*)' value is invalid\. Names must begin with a letter or under"),
        gettext_noop(
            "verdien i kolonnen «%(column)s» er ikke et gyldig navn. Et navn må begynne med en bokstav "
            "eller _, og kan ellers bare ha bokstaver, tall, _, - og punktum (ikke mellomrom)."
        ),
    ),
    (
        re.compile(r"Question or group with no name"),
        gettext_noop("spørsmålet eller gruppen mangler navn (kolonnen «name»)."),
    ),
    (re.compile(r"Question with no type"), gettext_noop("raden mangler type (kolonnen «type»).")),
    (
        re.compile(r"The survey element named '(?P<name>[^']*)' has no label or hint"),
        gettext_noop("«%(name)s» mangler tekst (kolonnen «label» eller «hint»)."),
    ),
    (
        re.compile(r"Unmatched 'end_(?P<kind>\w+)'"),
        gettext_noop("end_%(kind)s uten en begin_%(kind)s foran."),
    ),
    (
        re.compile(
            r"Unmatched 'begin_(?P<kind>\w+)'\. No matching 'end_\w+' was found for the "
            r"name '(?P<name>[^']*)'"
        ),
        gettext_noop("begin_%(kind)s «%(name)s» mangler end_%(kind)s."),
    ),
    (
        re.compile(r"Choice names must be unique for each choice list"),
        gettext_noop("koden finnes allerede i samme svarliste. Kodene i en svarliste må være ulike."),
    ),
    (
        re.compile(r"Choices must have a name"),
        gettext_noop("svaralternativet mangler kode (kolonnen «name»)."),
    ),
    (
        re.compile(r"Choices should have a label"),
        gettext_noop("svaralternativet mangler tekst (kolonnen «label»)."),
    ),
    (
        re.compile(r"the '(?P<column>[^']*)' value is invalid\. Reference variables must start with '\$\{'"),
        gettext_noop(
            "kolonnen «%(column)s» har en ufullstendig henvisning. En henvisning skrives ${spørsmålsnavn}."
        ),
    ),
    (
        re.compile(r"the '(?P<column>[^']*)' value is invalid\. Reference variable lists must have a comma"),
        gettext_noop("kolonnen «%(column)s»: flere henvisninger etter hverandre må skilles med komma."),
    ),
    (
        re.compile(
            r"the '(?P<column>[^']*)' value is invalid\. Reference variables must contain a name from the "
            r"'survey' sheet\. Could not find the name '(?P<name>[^']*)'"
        ),
        gettext_noop(
            "kolonnen «%(column)s» viser til ${%(name)s}, men det finnes ikke noe spørsmål som heter "
            "«%(name)s» i arket «survey»."
        ),
    ),
    (
        re.compile(
            r"the '(?P<column>[^']*)' value is invalid\. Reference variables names must be unique .* "
            r"The name '(?P<name>[^']*)' appears more than once"
        ),
        gettext_noop(
            "kolonnen «%(column)s» viser til ${%(name)s}, men navnet «%(name)s» finnes flere steder "
            "i skjemaet."
        ),
    ),
    (
        re.compile(r"Missing calculation"),
        gettext_noop("en calculate-rad må ha en formel i kolonnen «calculation»."),
    ),
    (
        re.compile(r"Parameters must be in the form of"),
        gettext_noop("kolonnen «parameters» må ha formen nøkkel=verdi nøkkel2=verdi2."),
    ),
    (
        re.compile(
            r"The accepted parameter keys for this question type are '(?P<accepted>[^']*)'\. "
            r"The following are invalid parameter key\(s\): '(?P<rejected>[^']*)'"
        ),
        gettext_noop(
            "kolonnen «parameters» har ukjente nøkler: %(rejected)s (denne spørsmålstypen tar %(accepted)s)."
        ),
    ),
    (
        re.compile(r"randomize must be set to true or false: '(?P<value>[^']*)'"),
        gettext_noop("parameteren randomize må være true eller false, ikke «%(value)s»."),
    ),
    (
        re.compile(r"Parameters must include randomize=true to use a seed"),
        gettext_noop("parameteren seed kan bare brukes sammen med randomize=true."),
    ),
    (
        re.compile(r"Duplicate column header: (?P<column>.*)"),
        gettext_noop("kolonnen «%(column)s» finnes to ganger. Fjern eller gi nytt navn til den ene."),
    ),
    (
        re.compile(
            r"Invalid headers provided for sheet: '(?P<sheet>[^']*)'\. "
            r"One or more required column headers were not found: (?P<missing>.*?)\. Learn more"
        ),
        gettext_noop("arket «%(sheet)s» mangler kolonnen %(missing)s."),
    ),
    (
        re.compile(
            r"Invalid headers provided for sheet: '(?P<sheet>[^']*)'\. Headers that are different names for "
            r"the same column were found: '(?P<other>[^']*)', '(?P<header>[^']*)'"
        ),
        gettext_noop(
            "arket «%(sheet)s» har både kolonnen «%(other)s» og «%(header)s», som betyr det samme. "
            "Fjern eller gi nytt navn til den ene."
        ),
    ),
    (
        re.compile(r"the '(?P<column>[^']*)' value is invalid\. Column headers must not be empty"),
        gettext_noop("kolonneoverskriften «%(column)s» kan ikke være tom eller ha mellomrom."),
    ),
]
_PYXFORM_ROW = re.compile(r"^\s*\[row\s*:\s*(?P<row>\d+)\]\s*")
_PYXFORM_SHEET = re.compile(r"On the '(?P<sheet>[^']+)' sheet, ")


def translate_pyxform_message(message: str) -> str:
    """pyxform's English message in Norwegian, with the sheet and row named the way our own checks do
    ("survey, rad 4: ..."); an unknown message keeps its English text in parentheses so nothing is lost."""
    text = message.strip()
    place = ""
    row = _PYXFORM_ROW.match(text)
    if row:
        text = text[row.end() :]
        sheet = _PYXFORM_SHEET.search(text)
        # pyxform's row-numbered messages without a sheet (unmatched end_group, no name, no type, list
        # name not in choices, missing calculation) are all about the survey sheet.
        place = _("%(sheet)s, rad %(row)s: ") % {
            "sheet": sheet.group("sheet") if sheet else "survey",
            "row": row.group("row"),
        }
    for pattern, template in _PYXFORM_MESSAGES:
        match = pattern.search(text)
        if match:
            translated = _(template) % match.groupdict()
            return place + (translated if place else translated[:1].upper() + translated[1:])
    if place:
        return place + _("pyxform godtar ikke raden (%(message)s).") % {"message": text}
    return _("pyxform godtar ikke skjemaet (%(message)s).") % {"message": text}


def pyxform_problems(content: bytes) -> list[str]:
    """What pyxform says when converting the file to an XForm (empty when it converts), in Norwegian."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=content, file_type=".xlsx")
    except PyXFormError as exc:
        return [translate_pyxform_message(str(exc))]
    except Exception as exc:
        return [_("pyxform kunne ikke lese skjemaet (%(message)s).") % {"message": str(exc)}]
    return []
