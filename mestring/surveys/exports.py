"""Exports of a national survey's answers: CSV, XLSX and SPSS .sav with variable and value labels.

One row per submitted response. The municipality's identity (kommunenummer, name) is included only when the
caller says the actor may see it (`Perm.SURVEY_IDENTITY_VIEW`); otherwise rows are in a neutral order with a
running number. Choice variables are numeric codes with value labels (the option's code when every code is a
whole number, else its position 1, 2, …); multiple choice gives one 0/1 variable per option.

`mestring.stats` had no general renderer API when this was written, so the writers live here.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from mestring.stats.suppression import HIDDEN_SYMBOL
from mestring.surveys import engine
from mestring.surveys.analysis import Published
from mestring.surveys.engine import QuestionDef
from mestring.surveys.models import NationalSurvey, QuestionType, Response


@dataclass
class Variable:
    name: str
    label: str
    kind: str  # "numeric" | "string"
    value_labels: dict[int, str]
    codes: dict[str, int]
    question: QuestionDef | None
    item: str
    dimension: str
    missing: tuple[int, ...] = ()  # codes of «ikke relevant»: user-missing in SPSS, so no mean includes them


def _codes(options: Sequence[tuple[str, str]]) -> dict[str, int]:
    if all(v.isdigit() for v, _label in options):
        return {v: int(v) for v, _label in options}
    return {v: i for i, (v, _label) in enumerate(options, start=1)}


def build_variables(form: engine.Form, *, identity: bool) -> list[Variable]:
    out: list[Variable] = []
    if identity:
        out.append(Variable("kommunenummer", _("Kommunenummer"), "string", {}, {}, None, "", ""))
        out.append(Variable("kommune", _("Kommune"), "string", {}, {}, None, "", ""))
    else:
        out.append(Variable("lopenr", _("Løpenummer"), "numeric", {}, {}, None, "", ""))
    for name, label, q, item, dimension in engine.variables(form):
        if q.type in (QuestionType.TEXT, QuestionType.LONGTEXT):
            out.append(Variable(name, label, "string", {}, {}, q, item, dimension))
        elif q.type == QuestionType.NUMBER:
            out.append(Variable(name, label, "numeric", {}, {}, q, item, dimension))
        else:
            options = engine.variable_options(q, dimension)
            codes = _codes(options) if q.type != QuestionType.MULTIPLE else {"1": 1, "0": 0}
            labels = {codes[v]: lab for v, lab in options}
            if q.type == QuestionType.COLLABORATION:
                not_applicable = {engine.COLLAB_NOT_RELEVANT[0]}
            else:
                not_applicable = {o.value for o in q.options if o.not_applicable}
            missing = tuple(sorted(codes[v] for v in not_applicable if v in codes))
            out.append(Variable(name, label, "numeric", labels, codes, q, item, dimension, missing))
    return out


def rows(survey: NationalSurvey, *, identity: bool) -> tuple[list[Variable], list[list[Any]]]:
    form = engine.load_form(survey.version)
    variables = build_variables(form, identity=identity)
    responses = list(
        Response.objects.filter(invitation__survey=survey, submitted_at__isnull=False)
        .select_related("invitation")
        .order_by("invitation__kommunenummer" if identity else "pk")
    )
    if not identity:
        # Neutral order: not the frame order, not the order of answering.
        responses.sort(key=lambda r: (sorted(r.data.items()).__repr__(), r.pk))
    table: list[list[Any]] = []
    for number, response in enumerate(responses, start=1):
        line: list[Any] = []
        for v in variables:
            if v.question is None:
                if v.name == "kommunenummer":
                    line.append(response.invitation.kommunenummer)
                elif v.name == "kommune":
                    line.append(response.invitation.name)
                else:
                    line.append(number)
                continue
            raw = engine.variable_value(response.data, v.question, v.item, v.dimension)
            if raw is None:
                line.append(None)
            elif v.codes:
                line.append(v.codes.get(str(raw)))
            elif v.kind == "numeric":
                line.append(float(raw))
            else:
                line.append(str(raw))
        table.append(line)
    return variables, table


def to_csv(variables: Sequence[Variable], table: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([v.name for v in variables])
    for line in table:
        writer.writerow(["" if value is None else value for value in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(variables: Sequence[Variable], table: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Svar")
    sheet.append([v.name for v in variables])
    for line in table:
        sheet.append(list(line))
    labels = workbook.create_sheet(_("Variabler"))
    labels.append([_("Variabel"), _("Etikett"), _("Verdier")])
    for v in variables:
        labels.append(
            [v.name, v.label, "; ".join(f"{code} = {text}" for code, text in v.value_labels.items())]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _measure(variable: Variable) -> str:
    """SPSS measurement level: graded answers are ordinal, numbers scale, everything else nominal."""
    question = variable.question
    if question is None or variable.kind == "string":
        return "nominal"
    if question.type == QuestionType.NUMBER:
        return "scale"
    if question.type in (QuestionType.SCALE, QuestionType.MATRIX, QuestionType.COLLABORATION):
        return "ordinal"
    return "nominal"


def to_sav(variables: Sequence[Variable], table: Sequence[Sequence[Any]]) -> bytes:
    import pandas as pd
    import pyreadstat

    columns: dict[str, list[Any]] = {}
    for j, v in enumerate(variables):
        values = [line[j] for line in table]
        if v.kind == "numeric":
            columns[v.name] = [float("nan") if x is None else float(x) for x in values]
        else:
            columns[v.name] = ["" if x is None else str(x) for x in values]
    frame = pd.DataFrame(columns, columns=[v.name for v in variables])
    for v in variables:
        if v.kind == "string":
            frame[v.name] = frame[v.name].astype(object)
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        pyreadstat.write_sav(
            frame,
            path,
            column_labels=[v.label[:250] for v in variables],
            variable_value_labels={
                v.name: {float(k): t for k, t in v.value_labels.items()} for v in variables if v.value_labels
            },
            missing_ranges={v.name: [float(code) for code in v.missing[:3]] for v in variables if v.missing},
            variable_measure={v.name: _measure(v) for v in variables},
        )
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)


def tables_to_csv(tables: Sequence[Published]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for t in tables:
        writer.writerow([t.caption])
        writer.writerow(t.header)
        writer.writerows(t.rows)
        for note in t.notes:
            writer.writerow([note])
        if t.chi2:
            writer.writerow(
                [
                    "chi2",
                    f"{t.chi2['statistic']:.4f}",
                    "df",
                    t.chi2["dof"],
                    "p",
                    "<0.001" if t.chi2["p_value"] < 0.001 else f"{t.chi2['p_value']:.4f}",
                ]
            )
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_number(text: str) -> int | float | str:
    """A published figure as a number Excel can sum ('8' → 8, '62,5' → 62.5); ':' and labels stay text."""
    if not isinstance(text, str) or text == HIDDEN_SYMBOL:
        return text
    if text.isdigit():
        return int(text)
    try:
        return float(text.replace(",", ".")) if "," in text else text
    except ValueError:
        return text


def tables_to_xlsx(tables: Sequence[Published]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Tabeller")
    for t in tables:
        sheet.append([t.caption])
        sheet.append(t.header)
        for row in t.rows:
            sheet.append([row[0], *(_xlsx_number(value) for value in row[1:])])
            for cell in sheet[sheet.max_row][1:]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"  # Excel shows the decimal comma of a Norwegian locale
                elif isinstance(cell.value, int):
                    cell.number_format = "0"
        for note in t.notes:
            sheet.append([note])
        if t.chi2:
            sheet.append(
                [
                    _("Kjikvadrattest"),
                    f"χ² = {t.chi2['statistic']:.2f}",
                    f"df = {t.chi2['dof']}",
                    t.chi2["p_text"],
                ]
            )
        sheet.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}


def export_responses(survey: NationalSurvey, fmt: str, *, identity: bool) -> bytes:
    variables, table = rows(survey, identity=identity)
    if fmt == "csv":
        return to_csv(variables, table)
    if fmt == "xlsx":
        return to_xlsx(variables, table)
    if fmt == "sav":
        return to_sav(variables, table)
    raise ValueError(fmt)
