"""Renderers of published report tables: HTML (template include), inline SVG charts, CSV, XLSX, Markdown,
PDF and the API dictionary. They only ever print a figure or :data:`HIDDEN_SYMBOL`, never a hidden reason.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mestring.stats.suppression import HIDDEN_SYMBOL, Cell
from mestring.stats.tables import Report, ReportTable

PALETTE = ("#1e5aa0", "#c05a00", "#6a3d9a", "#00786e", "#a0306e", "#5a6470", "#8c6d00", "#2f7d32")
RATING_COLOURS = ("#2f7d32", "#e0b000", "#c62828")  # grønn, gul, rød
UNKNOWN_FILL = "#d0d4d9"


def format_share(value: float | None) -> str:
    if value is None:
        return HIDDEN_SYMBOL
    return f"{value:.1f}".replace(".", ",")


def total_label() -> str:
    return _("I alt")


def table_rows(report_table: ReportTable, *, with_shares: bool = True) -> list[list[str]]:
    """Header and body as strings: counts, and (if the table has shares) one share column per count."""
    shares = with_shares and report_table.shares is not None
    header = [report_table.row_header]
    for column in report_table.columns:
        header.append(column)
        if shares:
            header.append(_("%(column)s (%%)") % {"column": column})
    if report_table.show_row_totals:
        header.append(total_label())
    lines = [header]
    for label, cells, row_total, row_shares, _total_share in report_table.body():
        line = [label]
        for cell, share in zip(cells, row_shares, strict=True):
            line.append(str(cell))
            if shares:
                line.append(format_share(share))
        if report_table.show_row_totals:
            line.append(str(row_total))
        lines.append(line)
    if report_table.show_footer:
        column_totals, grand_total, column_shares = report_table.footer()
        line = [total_label()]
        for cell, share in zip(column_totals, column_shares, strict=True):
            line.append(str(cell))
            if shares:
                line.append(format_share(share))
        if report_table.show_row_totals:
            line.append(str(grand_total))
        lines.append(line)
    return lines


def _meta_lines(report_table: ReportTable) -> list[str]:
    n = report_table.n
    lines = [_("n = %(n)s") % {"n": HIDDEN_SYMBOL if n is None else n}]
    lines.extend(report_table.notes)
    return lines


# ---------------------------------------------------------------------------------------------
# CSV, Markdown, XLSX
# ---------------------------------------------------------------------------------------------


def render_csv(tables: Sequence[ReportTable], *, title: str = "") -> str:
    """Semicolon-separated (what Norwegian Excel opens), one block per table, notes under each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    if title:
        writer.writerow([title])
        writer.writerow([])
    for report_table in tables:
        writer.writerow([report_table.title])
        writer.writerows(table_rows(report_table))
        for line in _meta_lines(report_table):
            writer.writerow([line])
        writer.writerow([])
    return buffer.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(tables: Sequence[ReportTable], *, title: str = "") -> str:
    out: list[str] = []
    if title:
        out += [f"# {title}", ""]
    for report_table in tables:
        rows = table_rows(report_table)
        out.append(f"## {report_table.title}")
        out.append("")
        out.append("| " + " | ".join(_md_escape(c) or " " for c in rows[0]) + " |")
        out.append("|" + "|".join(["---", *["---:"] * (len(rows[0]) - 1)]) + "|")
        for line in rows[1:]:
            out.append("| " + " | ".join(_md_escape(c) for c in line) + " |")
        out.append("")
        for meta in _meta_lines(report_table):
            out.append(f"- {meta}")
        out.append("")
    return "\n".join(out)


_SHEET_FORBIDDEN = re.compile(r"[\[\]\*\?/\\:]")


def render_xlsx(tables: Sequence[ReportTable], *, title: str = "") -> bytes:
    """One worksheet per table. Shown counts are numbers, hidden ones the symbol; notes below the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    default = workbook.active
    used: set[str] = set()
    for index, report_table in enumerate(tables, start=1):
        name = _SHEET_FORBIDDEN.sub(" ", report_table.title)[:28].strip() or f"Tabell {index}"
        candidate, counter = name, 2
        while candidate.lower() in used:
            candidate = f"{name[:25]} {counter}"
            counter += 1
        used.add(candidate.lower())
        sheet = workbook.create_sheet(candidate)
        if title:
            sheet.append([title])
        sheet.append([report_table.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append([])
        for line_index, line in enumerate(table_rows(report_table)):
            values: list[Any] = []
            for column_index, value in enumerate(line):
                values.append(_xlsx_value(value) if line_index and column_index else value)
            sheet.append(values)
        sheet.append([])
        for meta in _meta_lines(report_table):
            sheet.append([meta])
        sheet.column_dimensions["A"].width = 36
    if workbook.worksheets and len(workbook.worksheets) > 1:
        workbook.remove(default)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(text: str) -> int | float | str:
    if text == HIDDEN_SYMBOL:
        return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def _cell_value(cell: Cell) -> int | None:
    return cell.value


def table_to_dict(report_table: ReportTable) -> dict[str, Any]:
    """The generic API shape: hidden figures are null and flagged, never with a reason. ``rows_overlap``:
    every row describes the same group, so the column totals are not published (null)."""
    body = []
    for label, cells, row_total, row_shares, total_share in report_table.body():
        body.append(
            {
                "label": label,
                "counts": [_cell_value(c) for c in cells],
                "hidden": [c.hidden for c in cells],
                "shares": row_shares if report_table.shares else None,
                "total": _cell_value(row_total),
                "total_share": total_share if report_table.shares else None,
            }
        )
    column_totals, grand_total, column_shares = report_table.footer()
    return {
        "key": report_table.key,
        "title": report_table.title,
        "row_header": report_table.row_header,
        "columns": list(report_table.columns),
        "rows": body,
        "column_totals": [_cell_value(c) for c in column_totals],
        "column_shares": column_shares if report_table.shares else None,
        "grand_total": _cell_value(grand_total),
        "rows_overlap": report_table.table.rows_overlap,
        "share_axis": report_table.share_axis,
        "n": report_table.n,
        "notes": list(report_table.notes),
        "hidden_symbol": HIDDEN_SYMBOL,
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "title": report.title,
        "subtitle": report.subtitle,
        "facts": [{"label": label, "value": value} for label, value in report.facts],
        "notes": list(report.notes),
        "sections": [
            {"title": s.title, "intro": s.intro, "tables": [table_to_dict(t) for t in s.tables]}
            for s in report.sections
        ],
    }


# ---------------------------------------------------------------------------------------------
# Charts (inline SVG; the table beside it carries the same figures for screen readers)
# ---------------------------------------------------------------------------------------------

_CHART_WIDTH = 640
_LABEL_WIDTH = 230  # room for about 30 characters of 13 px text per line
_LABEL_CHARS = 30
_LINE_HEIGHT = 15
_BAR_HEIGHT = 22
_GAP = 10


def chart_colours(report_table: ReportTable) -> tuple[str, ...]:
    if report_table.colours:
        return report_table.colours
    return tuple(PALETTE[i % len(PALETTE)] for i in range(len(report_table.columns)))


def _wrap(text: str, limit: int = _LABEL_CHARS) -> list[str]:
    """A row label in lines of at most `limit` characters (at spaces where it can): nothing is cut."""
    return textwrap.wrap(text, width=limit, break_long_words=True, break_on_hyphens=True) or [""]


def _row_layout(labels: Sequence[str]) -> tuple[list[tuple[float, list[str]]], float]:
    """(top of the row, label lines) per row and the chart's height: a row is as tall as its label."""
    rows: list[tuple[float, list[str]]] = []
    y = float(_GAP)
    for label in labels:
        lines = _wrap(label)
        rows.append((y, lines))
        y += max(_BAR_HEIGHT, len(lines) * _LINE_HEIGHT + 4) + _GAP
    return rows, y


def render_chart(report_table: ReportTable, *, id_prefix: str = "diagram") -> SafeString:
    """An accessible horizontal bar chart, or an empty string for ``chart == "none"``.

    ``"stacked"``: one bar per row, split into each column's share of the row (hidden shares drawn as a grey
    "not shown" segment). ``"bars"``: one bar per row, its total count. Text is dark on white. Long row labels
    wrap over several lines; every label and bar carries the full label in its ``<title>``.
    """
    if report_table.chart == "none" or not report_table.rows:
        return mark_safe("")
    chart_id = f"{id_prefix}-{report_table.key}"
    plot_width = _CHART_WIDTH - _LABEL_WIDTH - 60
    layout, height = _row_layout(report_table.rows)
    parts = [
        f'<svg class="stats-chart" role="img" viewBox="0 0 {_CHART_WIDTH} {height:.0f}" width="100%" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(report_table.title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_("Diagrammet viser de samme tallene som tabellen."))}</desc>',
    ]
    colours = chart_colours(report_table)
    if report_table.chart == "stacked":
        parts += _stacked_bars(report_table, colours, plot_width, layout)
    else:
        parts += _count_bars(report_table, colours, plot_width, layout)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped above


def _bar_top(y: float, lines: list[str]) -> float:
    """The bar's top: centred on the label's lines."""
    label_height = max(_BAR_HEIGHT, len(lines) * _LINE_HEIGHT + 4)
    return y + (label_height - _BAR_HEIGHT) / 2


def _row_label(label: str, y: float, lines: list[str]) -> str:
    label_height = max(_BAR_HEIGHT, len(lines) * _LINE_HEIGHT + 4)
    first = y + (label_height - len(lines) * _LINE_HEIGHT) / 2 + _LINE_HEIGHT * 0.8
    spans = "".join(
        f'<tspan x="{_LABEL_WIDTH - 8}" y="{first + i * _LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text text-anchor="end" font-size="13" fill="#1e1e1e"><title>{escape(label)}</title>{spans}</text>'
    )


def _stacked_bars(
    report_table: ReportTable,
    colours: Sequence[str],
    plot_width: float,
    layout: list[tuple[float, list[str]]],
) -> list[str]:
    parts: list[str] = []
    for (label, _cells, _total, row_shares, _total_share), (row_y, lines) in zip(
        report_table.body(), layout, strict=True
    ):
        parts.append(_row_label(label, row_y, lines))
        y = _bar_top(row_y, lines)
        x = float(_LABEL_WIDTH)
        known = 0.0
        if all(share is None for share in row_shares):
            parts.append(
                f'<text x="{x:.1f}" y="{y + _BAR_HEIGHT * 0.7:.1f}" font-size="13" fill="#1e1e1e">'
                f"<title>{escape(label)}: {escape(_('ikke vist'))}</title>"
                f"{escape(_('Tallene vises ikke'))}</text>"
            )
            continue
        for column, share, colour in zip(report_table.columns, row_shares, colours, strict=False):
            if share is None or share <= 0:
                continue
            width = plot_width * share / 100
            known += share
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{_BAR_HEIGHT}" fill="{colour}">'
                f"<title>{escape(label)}, {escape(column)}: {format_share(share)} %</title></rect>"
            )
            x += width
        rest = max(0.0, 100 - known)
        if rest > 0.05 and any(share is None for share in row_shares):
            width = plot_width * rest / 100
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{_BAR_HEIGHT}" '
                f'fill="{UNKNOWN_FILL}"><title>{escape(label)}: {escape(_("ikke vist"))}</title></rect>'
            )
    return parts


def _count_bars(
    report_table: ReportTable,
    colours: Sequence[str],
    plot_width: float,
    layout: list[tuple[float, list[str]]],
) -> list[str]:
    parts: list[str] = []
    body = report_table.body()
    largest = max((total.value or 0 for _l, _c, total, _s, _t in body), default=0) or 1
    for (label, _cells, total, _shares, _total_share), (row_y, lines) in zip(body, layout, strict=True):
        parts.append(_row_label(label, row_y, lines))
        y = _bar_top(row_y, lines)
        text_y = y + _BAR_HEIGHT * 0.7
        if total.value is None:
            parts.append(
                f'<text x="{_LABEL_WIDTH}" y="{text_y:.1f}" font-size="13" fill="#1e1e1e">'
                f"<title>{escape(label)}: {escape(_('ikke vist'))}</title>{HIDDEN_SYMBOL}</text>"
            )
            continue
        width = plot_width * total.value / largest
        parts.append(
            f'<rect x="{_LABEL_WIDTH}" y="{y:.1f}" width="{width:.1f}" height="{_BAR_HEIGHT}" '
            f'fill="{colours[0]}">'
            f"<title>{escape(label)}: {total.value}</title></rect>"
            f'<text x="{_LABEL_WIDTH + width + 6:.1f}" y="{text_y:.1f}" font-size="13" fill="#1e1e1e">'
            f"{total.value}</text>"
        )
    return parts


def legend(report_table: ReportTable) -> list[tuple[str, str]]:
    """(colour, label) pairs for a stacked chart's legend."""
    if report_table.chart != "stacked":
        return []
    entries = list(zip(chart_colours(report_table), report_table.columns, strict=False))
    shares = report_table.shares
    if shares is not None and any(share is None for line in shares.cells for share in line):
        entries.append((UNKNOWN_FILL, _("Ikke vist")))
    return entries


# ---------------------------------------------------------------------------------------------
# HTML and PDF
# ---------------------------------------------------------------------------------------------


def render_table_html(report_table: ReportTable, *, with_chart: bool = True) -> str:
    return render_to_string(
        "stats/_report_table.html",
        {"t": report_table, "with_chart": with_chart, **table_context(report_table)},
    )


def table_context(report_table: ReportTable) -> dict[str, Any]:
    rows = table_rows(report_table)
    return {
        "header": rows[0],
        "body": rows[1 : len(rows) - (1 if report_table.show_footer else 0)],
        "footer": rows[-1] if report_table.show_footer else None,
        "chart": render_chart(report_table),
        "legend": legend(report_table),
        "hidden_symbol": HIDDEN_SYMBOL,
    }


def render_pdf(
    report: Report, *, template: str = "stats/report_pdf.html", extra: dict[str, Any] | None = None
) -> bytes:
    """A printable PDF of a whole report (for the municipal council), through WeasyPrint."""
    from weasyprint import HTML

    html = render_to_string(template, {"report": report, "blocks": report_blocks(report), **(extra or {})})
    return bytes(HTML(string=html).write_pdf())


def report_blocks(report: Report) -> list[dict[str, Any]]:
    """Sections with each table's render context, for templates (``stats/_report.html``)."""
    return [
        {
            "section": section,
            "tables": [{"t": table, **table_context(table)} for table in section.tables],
        }
        for section in report.sections
    ]


DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


def report_download(report: Report, fmt: str) -> HttpResponse:
    """The report's tables as a file (``fmt`` one of ``DOWNLOAD_TYPES``); CSV starts with a BOM for Excel."""
    content: bytes
    if fmt == "csv":
        content = ("\ufeff" + render_csv(report.tables(), title=report.title)).encode("utf-8")
    elif fmt == "md":
        content = render_markdown(report.tables(), title=report.title).encode("utf-8")
    elif fmt == "xlsx":
        content = render_xlsx(report.tables(), title=report.title)
    else:
        raise ValueError(f"unknown download type {fmt!r}")
    response = HttpResponse(content, content_type=DOWNLOAD_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slugify(report.key)}.{fmt}"'
    return response
