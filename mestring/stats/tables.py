"""Report tables: counting in the database, suppression, and the published shape every renderer takes.

See the package docstring (``mestring/stats/__init__.py``) for how apps use this.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from mestring.stats.suppression import (
    Axis,
    Cell,
    Shares,
    SuppressedTable,
    SuppressionPolicy,
    Table,
    percentages,
    suppress_linked,
    suppress_table,
    union_of,
)

ChartKind = Literal["stacked", "bars", "none"]
Key = tuple[Hashable, ...]


# ---------------------------------------------------------------------------------------------
# Counting in the database
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cube:
    """Counts per combination of a few dimensions, with extra conditional counts ("measures").

    Built by :func:`cube` in one GROUP BY query; everything else (margins, two-way tables) is added up from
    the small result in Python, so a report with many tables still reads its rows once.
    """

    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    cells: Mapping[Key, Mapping[str, int]]

    def total(self, measure: str = "n", where: Callable[[Mapping[str, Any]], bool] | None = None) -> int:
        return sum(
            values[measure]
            for key, values in self.cells.items()
            if where is None or where(dict(zip(self.dimensions, key, strict=True)))
        )

    def totals(self, where: Callable[[Mapping[str, Any]], bool] | None = None) -> dict[str, int]:
        """Every measure (and ``n``) added up over the cells ``where`` accepts, in one pass."""
        result = dict.fromkeys(("n", *self.measures), 0)
        for key, values in self.cells.items():
            if where is not None and not where(dict(zip(self.dimensions, key, strict=True))):
                continue
            for name, value in values.items():
                result[name] += value
        return result

    def sum_by(
        self,
        group: Callable[[Mapping[str, Any]], Hashable | None],
        measure: str = "n",
    ) -> dict[Hashable, int]:
        """Add up ``measure`` per group; ``group`` maps a cell's dimension values to a label (None: skip)."""
        result: dict[Hashable, int] = {}
        for key, values in self.cells.items():
            label = group(dict(zip(self.dimensions, key, strict=True)))
            if label is None:
                continue
            result[label] = result.get(label, 0) + values[measure]
        return result

    def table(
        self,
        *,
        rows: Sequence[str],
        columns: Sequence[str],
        row_of: Callable[[Mapping[str, Any]], str | None],
        column_of: Callable[[Mapping[str, Any]], str | None],
        measure: str = "n",
        title: str = "",
    ) -> Table:
        """A two-way table: each cell's count goes to (row_of(dims), column_of(dims)); None skips it."""
        data: dict[str, dict[str, int]] = {row: dict.fromkeys(columns, 0) for row in rows}
        for key, values in self.cells.items():
            dims = dict(zip(self.dimensions, key, strict=True))
            row, column = row_of(dims), column_of(dims)
            if row is None or column is None or row not in data or column not in data[row]:
                continue
            data[row][column] += values[measure]
        return Table.from_mapping(data, rows=rows, columns=columns, title=title)

    def merged(self, other: Cube) -> Cube:
        """The sum of two cubes with the same dimensions and measures."""
        if other.dimensions != self.dimensions or other.measures != self.measures:
            raise ValueError("cubes must have the same dimensions and measures")
        cells: dict[Key, dict[str, int]] = {k: dict(v) for k, v in self.cells.items()}
        for key, values in other.cells.items():
            target = cells.setdefault(key, dict.fromkeys(("n", *self.measures), 0))
            for name, value in values.items():
                target[name] += value
        return Cube(self.dimensions, self.measures, cells)


def _raw_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values(…).annotate(…)`` queryset as tuples, straight from the cursor (columns in
    values-then-annotations order), skipping Django's per-value converters: cubes are all integers."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def cube(queryset: QuerySet[Any], dimensions: Sequence[str], measures: Mapping[str, Q] | None = None) -> Cube:
    """One ``SELECT dims, COUNT(*), COUNT(*) FILTER (WHERE …) … GROUP BY dims`` over ``queryset``."""
    measures = dict(measures or {})
    if "n" in measures:
        raise ValueError("'n' is the row count and cannot be a measure name")
    annotations: dict[str, Any] = {"n": Count("pk")}
    annotations.update({name: Count("pk", filter=condition) for name, condition in measures.items()})
    names = ("n", *measures)
    cells: dict[Key, dict[str, int]] = {}
    width = len(dimensions)
    for row in _raw_rows(queryset.order_by().values(*dimensions).annotate(**annotations)):
        cells[tuple(row[:width])] = {
            name: int(value or 0) for name, value in zip(names, row[width:], strict=True)
        }
    return Cube(tuple(dimensions), tuple(measures), cells)


def cube_of_sums(queryset: QuerySet[Any], dimensions: Sequence[str], fields: Sequence[str]) -> Cube:
    """A :class:`Cube` from a pre-aggregated table: ``SELECT dims, SUM(n), SUM(field)… GROUP BY dims``.

    ``fields`` must include ``"n"`` (the row count column of the pre-aggregated table).
    """
    if "n" not in fields:
        raise ValueError("a pre-aggregated table needs its count column 'n'")
    measures = tuple(field for field in fields if field != "n")
    names = ("n", *measures)
    cells: dict[Key, dict[str, int]] = {}
    width = len(dimensions)
    rows = queryset.order_by().values(*dimensions).annotate(**{f"sum_{f}": Sum(f) for f in names})
    for row in _raw_rows(rows):
        cells[tuple(row[:width])] = {
            name: int(value or 0) for name, value in zip(names, row[width:], strict=True)
        }
    return Cube(tuple(dimensions), measures, cells)


def count_table(
    queryset: QuerySet[Any],
    *,
    row_field: str,
    column_field: str,
    rows: Sequence[tuple[Any, str]],
    columns: Sequence[tuple[Any, str]],
    title: str = "",
) -> Table:
    """A two-way table of a queryset counted by two fields in the database (GROUP BY).

    ``rows``/``columns`` are (value, label) pairs fixing order and labels; other values are left out.
    """
    row_labels = dict(rows)
    column_labels = dict(columns)
    result = cube(queryset, [row_field, column_field])
    return result.table(
        rows=[label for _v, label in rows],
        columns=[label for _v, label in columns],
        row_of=lambda d: row_labels.get(d[row_field]),
        column_of=lambda d: column_labels.get(d[column_field]),
        title=title,
    )


def condition_table(
    queryset: QuerySet[Any],
    *,
    rows: Sequence[tuple[str, Q]],
    columns: Sequence[tuple[str, Q]],
    title: str = "",
) -> Table:
    """A table whose cell (r, c) counts rows matching ``row_q & column_q``, all in one aggregate query."""
    aggregates = {
        f"c{i}_{j}": Count("pk", filter=row_q & column_q)
        for i, (_r, row_q) in enumerate(rows)
        for j, (_c, column_q) in enumerate(columns)
    }
    values = queryset.order_by().aggregate(**aggregates)
    counts = [[int(values[f"c{i}_{j}"] or 0) for j in range(len(columns))] for i in range(len(rows))]
    return Table([r for r, _q in rows], [c for c, _q in columns], counts, title=title)


# ---------------------------------------------------------------------------------------------
# The published shape
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportTable:
    """One published table: a title, row and column labels, suppressed cells, n and notes.

    ``share_axis`` adds percentages (of the row total by default) computed only from published figures;
    ``chart`` says how renderers draw it: ``"stacked"`` (shares of each row, e.g. green/yellow/red),
    ``"bars"`` (one bar per row, the row total) or ``"none"``. ``colours`` are CSS colour names/classes per
    column for charts (optional). ``show_totals=False`` leaves out the row totals and the total row; a table
    whose rows overlap (``table.rows_overlap``) never shows the total row (its column sums are not published),
    and a table with one value column no "I alt" column (it would repeat that column).
    """

    key: str
    title: str
    table: SuppressedTable
    row_header: str = ""
    description: str = ""
    share_axis: Axis | None = "row"
    chart: ChartKind = "stacked"
    colours: tuple[str, ...] | None = None
    show_totals: bool = True

    @property
    def rows(self) -> tuple[str, ...]:
        return self.table.rows

    @property
    def columns(self) -> tuple[str, ...]:
        return self.table.columns

    @property
    def n(self) -> int | None:
        return self.table.n

    @cached_property
    def shares(self) -> Shares | None:
        return percentages(self.table, self.share_axis) if self.share_axis else None

    @property
    def notes(self) -> tuple[str, ...]:
        extra = self.shares.notes if self.shares else ()
        return tuple(dict.fromkeys((*self.table.notes, *extra)))

    @property
    def has_hidden(self) -> bool:
        return bool(self.table.hidden_positions)

    @property
    def show_row_totals(self) -> bool:
        """Whether renderers print the row totals ("I alt" column): not for one value column, whose total
        would repeat it."""
        return self.show_totals and len(self.columns) > 1

    @property
    def show_footer(self) -> bool:
        """Whether renderers print the total row (column sums and the grand total)."""
        return self.show_totals and not self.table.rows_overlap

    def body(self) -> list[tuple[str, list[Cell], Cell, list[float | None], float | None]]:
        """Per row: label, cells, row total, shares per cell, share of the row total."""
        shares = self.shares
        result = []
        for i, label in enumerate(self.rows):
            row_shares: list[float | None] = list(shares.cells[i]) if shares else [None] * len(self.columns)
            total_share = shares.row_totals[i] if shares else None
            result.append(
                (label, list(self.table.cells[i]), self.table.row_totals[i], row_shares, total_share)
            )
        return result

    def footer(self) -> tuple[list[Cell], Cell, list[float | None]]:
        shares = self.shares
        column_shares: list[float | None] = (
            list(shares.column_totals) if shares else [None] * len(self.columns)
        )
        return list(self.table.column_totals), self.table.grand_total, column_shares


@dataclass(frozen=True)
class ReportSection:
    title: str
    tables: tuple[ReportTable, ...]
    intro: str = ""


@dataclass(frozen=True)
class Report:
    """A titled set of sections of published tables, with the facts a reader needs on the first page."""

    title: str
    subtitle: str
    sections: tuple[ReportSection, ...]
    facts: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    key: str = "rapport"

    def tables(self) -> list[ReportTable]:
        return [table for section in self.sections for table in section.tables]

    def table(self, key: str) -> ReportTable:
        for table in self.tables():
            if table.key == key:
                return table
        raise KeyError(key)


# ---------------------------------------------------------------------------------------------
# Suppression helpers on top of the core
# ---------------------------------------------------------------------------------------------


def publish(
    key: str,
    table: Table,
    policy: SuppressionPolicy | None = None,
    **options: Any,
) -> ReportTable:
    """Suppress one table on its own and wrap it for publishing."""
    return ReportTable(key=key, title=table.title, table=suppress_table(table, policy), **options)


def publish_linked(
    parent: tuple[str, Table],
    children: Sequence[tuple[str, Table]],
    policy: SuppressionPolicy | None = None,
    **options: Any,
) -> tuple[ReportTable, list[ReportTable]]:
    """Suppress a parent and children published together (a cooperation and its members)."""
    linked = suppress_linked(parent[1], [table for _key, table in children], policy)
    published_parent = ReportTable(key=parent[0], title=parent[1].title, table=linked.parent, **options)
    published_children = [
        ReportTable(key=key, title=table.title, table=suppressed, **options)
        for (key, table), suppressed in zip(children, linked.children, strict=True)
    ]
    return published_parent, published_children


@dataclass
class NestedResult:
    child: SuppressedTable
    parents: list[SuppressedTable] = field(default_factory=list)


def suppress_nested(
    child: Table, parents: Sequence[Table], policy: SuppressionPolicy | None = None
) -> NestedResult:
    """One small table (a municipality) published beside several larger ones that each contain it (its
    cooperation, KOSTRA group, county, health region, the nation).

    Each parent is protected against the child with :func:`suppress_linked`. The child is published with
    every figure hidden in any of those runs (the union), which keeps each pairing safe: hiding more in the
    child only removes differences a reader could compute, and a union of patterns that each have no lone
    hidden figure per line and no recoverable figure has neither.
    """
    policy = policy or SuppressionPolicy.from_settings()
    runs = [suppress_linked(parent, [child], policy) for parent in parents]
    if not runs:
        return NestedResult(child=suppress_table(child, policy))
    merged = union_of([run.children[0] for run in runs])
    return NestedResult(child=merged, parents=[run.parent for run in runs])


def rows_of(values: Iterable[tuple[Any, str]]) -> list[str]:
    return [label for _value, label in values]
