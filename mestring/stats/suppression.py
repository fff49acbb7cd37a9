"""Disclosure control: the suppression every aggregate passes through before anyone sees it.

Three rules (thresholds in :class:`SuppressionPolicy`, configurable via ``settings.MESTRING_SUPPRESSION``):

* **Primary.** A count of 1..k-1 is hidden, in the body of a table and in its totals. Zero is shown.
* **Secondary.** More cells are hidden so that no hidden count can be worked out from the published ones:
  no line (row or column with its total) may hold exactly one hidden figure, the hidden cells of a line whose
  total is shown may not add up to 1..k-1, and no hidden figure may follow from any combination of lines.
* **Group size.** Shares are not given for a group of fewer than ``min_group_size``; a survey-like group that
  small can be hidden altogether.

Tables published side by side (a cooperation and one of its member municipalities) are protected together with
:func:`suppress_linked`, so that subtracting one from the other reveals nothing either.

**Overlapping rows** (``Table(..., rows_overlap=True)``): every row is a partition of its own row total over
the same group of units, e.g. per service "receives and needs / needs only / receives only / neither" of the
same n persons, or yes/no indicators (:func:`suppress_indicators`). A column sum across such rows counts
nothing (a person is in every row), so it is not published (its cells are hidden with reason
``NOT_PUBLISHED`` and renderers leave the total row out) and it does not drive suppression. Each row is
protected on its own against its published row total: primary, the cells of a row whose total is
1..min_group_size-1 (its total is shown from k, like any count), and secondary within the row (no lone hidden
figure, no small hidden sum). The grand total is
the group's size n; row totals equal to n are the same figure and are hidden together. Tables whose rows are
disjoint groups (municipalities, age groups) keep the full protection of rows and columns.

The hidden reason of each cell is for audit and tests only. Never render it per cell in published output: a
cell marked "primary" tells the reader it holds 1..k-1. Show :data:`HIDDEN_SYMBOL` and the table's notes.

Known limits (stated so nobody relies on more): the checks stop exact recovery and small hidden line sums.
They do not run a full linear-programming audit of the intervals an attacker could derive from the published
figures together with the fact that counts are non-negative.

This module needs neither Django settings nor pandas; it is plain Python so scripts and tests can use it.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Literal

HIDDEN_SYMBOL = ":"
"""Printed in place of a hidden figure, as Statistics Norway does."""

MAX_LINKED_CHILDREN = 12
"""Every subset of children is checked for differencing, so the work grows as 2**children."""

Position = tuple[int, int]
"""(row, column) in the extended grid: index ``len(rows)`` is the total row, ``len(columns)`` the total
column."""

Axis = Literal["row", "column", "total"]
_Node = tuple[str, int]
_Variable = tuple[int, Position]


def _(message: str) -> str:
    """Translate through Django when it is set up; otherwise return the bokmål source text.

    The core has to work without Django settings (scripts, tests), where gettext cannot run. Messages stay
    literal arguments of ``_`` so ``makemessages`` still finds them.
    """
    try:
        from django.apps import apps
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is a project dependency
        return message
    if not settings.configured or not apps.ready:
        return message
    from django.utils.translation import gettext

    return gettext(message)


# ---------------------------------------------------------------------------------------------
# Policy, cells and tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressionPolicy:
    """Thresholds for disclosure control.

    ``k``: counts 1..k-1 are hidden (0 is shown). ``min_group_size``: shares are not shown for a group
    (line) with fewer units, and a survey-like group that small is hidden completely. ``secondary``: hide
    complementary cells; turn off only for figures that never leave the organisation that owns the data.
    """

    k: int = 5
    min_group_size: int = 10
    secondary: bool = True

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if self.min_group_size < 0:
            raise ValueError("min_group_size cannot be negative")

    def is_sensitive(self, value: int) -> bool:
        """True for a count that may not be published on its own (1..k-1)."""
        return 0 < value < self.k

    @classmethod
    def from_settings(cls) -> SuppressionPolicy:
        """The policy from ``settings.MESTRING_SUPPRESSION`` (keys ``k``, ``min_group_size``, ``secondary``).

        Falls back to the defaults when Django is not configured, so scripts and tests need no settings.
        """
        defaults = cls()
        try:
            from django.conf import settings
        except ImportError:  # pragma: no cover - Django is a project dependency
            return defaults
        if not settings.configured:
            return defaults
        config: Mapping[str, object] = getattr(settings, "MESTRING_SUPPRESSION", None) or {}
        return cls(
            k=_int_setting(config, "k", defaults.k),
            min_group_size=_int_setting(config, "min_group_size", defaults.min_group_size),
            secondary=bool(config.get("secondary", defaults.secondary)),
        )


def _int_setting(config: Mapping[str, object], key: str, default: int) -> int:
    value = config.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"MESTRING_SUPPRESSION[{key!r}] must be an integer, not {value!r}")
    return value


class HiddenReason(StrEnum):
    """Why a cell is hidden. For audit and tests; never publish it per cell (see the module docstring)."""

    PRIMARY = "primary"
    """The count itself is 1..k-1."""
    SECONDARY = "secondary"
    """Hidden so that another hidden count cannot be worked out from the totals."""
    GROUP_TOO_SMALL = "group_too_small"
    """The whole group has fewer than ``min_group_size`` units."""
    DIFFERENCE = "difference"
    """The count minus a linked table's count would be 1..k-1 (see :func:`suppress_linked`)."""
    NOT_PUBLISHED = "not_published"
    """A column sum of a table whose rows overlap (``Table.rows_overlap``): it counts nothing and is never
    published. Not a hidden figure (``SuppressedTable.hidden_positions`` leaves it out)."""


@dataclass(frozen=True)
class Cell:
    """One published figure: either a value, or hidden with a reason (then ``value`` is None)."""

    value: int | None
    reason: HiddenReason | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("a cell has either a value or a hidden reason")

    @property
    def hidden(self) -> bool:
        return self.reason is not None

    def __str__(self) -> str:
        return HIDDEN_SYMBOL if self.value is None else str(self.value)


@dataclass(frozen=True)
class Table:
    """A two-way table of counts before suppression; totals are computed, never supplied.

    ``respondents`` is the number of units behind the table when that differs from the grand total (a
    multiple-choice question); ``n`` is that number, or the grand total.

    ``rows_overlap``: every row is a partition of its row total over the same group of units (see the module
    docstring). Column sums are then not published, and the grand total is the group's size ``n``:
    ``respondents``, or the common row total (without ``respondents`` every row must have the same total).
    """

    rows: Sequence[str]
    columns: Sequence[str]
    counts: Sequence[Sequence[int]]
    title: str = ""
    respondents: int | None = None
    rows_overlap: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "counts", tuple(tuple(line) for line in self.counts))
        self._validate()

    def _validate(self) -> None:
        if not self.rows or not self.columns:
            raise ValueError("a table needs at least one row and one column")
        if len(set(self.rows)) != len(self.rows) or len(set(self.columns)) != len(self.columns):
            raise ValueError("row and column labels must be unique")
        if len(self.counts) != len(self.rows) or any(len(line) != len(self.columns) for line in self.counts):
            raise ValueError("counts must have one line per row and one value per column")
        for value in itertools.chain.from_iterable(self.counts):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"counts must be non-negative integers, not {value!r}")
        if self.respondents is not None and self.respondents < 0:
            raise ValueError("respondents cannot be negative")
        if self.rows_overlap:
            totals = self.row_totals
            if self.respondents is None and len(set(totals)) > 1:
                raise ValueError("rows that overlap need respondents unless every row has the same total")
            if max(totals) > self.n:
                raise ValueError("a row cannot count more units than the group it describes")

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Mapping[str, int]],
        *,
        rows: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        title: str = "",
        respondents: int | None = None,
    ) -> Table:
        """Build from ``{row: {column: count}}``; missing combinations count as 0.

        Pass ``rows``/``columns`` to fix the order and to include categories nobody falls into.
        """
        row_labels = tuple(rows) if rows is not None else tuple(data)
        if columns is not None:
            column_labels = tuple(columns)
        else:
            column_labels = tuple(dict.fromkeys(label for line in data.values() for label in line))
        counts = [[data.get(row, {}).get(column, 0) for column in column_labels] for row in row_labels]
        return cls(row_labels, column_labels, counts, title=title, respondents=respondents)

    @classmethod
    def one_way(
        cls,
        counts: Mapping[str, int],
        *,
        column: str = "Antall",
        title: str = "",
        respondents: int | None = None,
    ) -> Table:
        """A frequency table: one row per category, a single column of counts."""
        return cls(tuple(counts), (column,), [[value] for value in counts.values()], title, respondents)

    @property
    def row_totals(self) -> tuple[int, ...]:
        return tuple(sum(line) for line in self.counts)

    @property
    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*self.counts, strict=True))

    @property
    def grand_total(self) -> int:
        """The sum of all cells; with ``rows_overlap`` the group's size ``n`` (a sum over rows means
        nothing)."""
        return self.n if self.rows_overlap else sum(self.row_totals)

    @property
    def n(self) -> int:
        if self.respondents is not None:
            return self.respondents
        return max(self.row_totals) if self.rows_overlap else self.grand_total

    def extended_values(self) -> dict[Position, int]:
        """Every figure a published table shows: cells, row totals, column totals and the grand total.

        With ``rows_overlap`` the column totals are left out (never published) and the grand total is ``n``.
        """
        n_rows, n_columns = len(self.rows), len(self.columns)
        values: dict[Position, int] = {}
        for i, line in enumerate(self.counts):
            for j, value in enumerate(line):
                values[(i, j)] = value
            values[(i, n_columns)] = sum(line)
        if not self.rows_overlap:
            for j, total in enumerate(self.column_totals):
                values[(n_rows, j)] = total
        values[(n_rows, n_columns)] = self.grand_total
        return values


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: every figure is a :class:`Cell`, shown or hidden.

    The margins are always present (for a one-column table the row totals repeat the cells; a renderer of a
    frequency table shows ``cells`` and ``grand_total`` and ignores them). ``n`` is None when hidden. With
    ``rows_overlap`` (see :class:`Table`) the column totals are never published (reason ``NOT_PUBLISHED``) and
    renderers leave the total row out.
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    grand_total: Cell
    n: int | None
    notes: tuple[str, ...]
    policy: SuppressionPolicy
    title: str = ""
    rows_overlap: bool = False

    def cell(self, row: str, column: str) -> Cell:
        return self.cells[self.rows.index(row)][self.columns.index(column)]

    def figure(self, position: Position) -> Cell:
        """The cell at a position of the extended grid (margins at index ``len(rows)``/``len(columns)``)."""
        i, j = position
        n_rows, n_columns = len(self.rows), len(self.columns)
        if i == n_rows and j == n_columns:
            return self.grand_total
        if i == n_rows:
            return self.column_totals[j]
        if j == n_columns:
            return self.row_totals[i]
        return self.cells[i][j]

    def positions(self) -> Iterator[Position]:
        return itertools.product(range(len(self.rows) + 1), range(len(self.columns) + 1))

    @property
    def hidden_positions(self) -> frozenset[Position]:
        """Figures hidden by suppression (a column sum that is never published is not one of them)."""
        return frozenset(
            position
            for position in self.positions()
            if self.figure(position).hidden and self.figure(position).reason is not HiddenReason.NOT_PUBLISHED
        )

    @property
    def shown_values(self) -> dict[Position, int]:
        return {p: value for p in self.positions() if (value := self.figure(p).value) is not None}

    def display_grid(self, *, total_label: str = "I alt") -> list[list[str]]:
        """Header plus one list of strings per row (totals last), for exports and plain renderers."""
        header = ["", *self.columns, total_label]
        body = [
            [label, *(str(cell) for cell in line), str(total)]
            for label, line, total in zip(self.rows, self.cells, self.row_totals, strict=True)
        ]
        if self.rows_overlap:
            return [header, *body]
        footer = [total_label, *(str(cell) for cell in self.column_totals), str(self.grand_total)]
        return [header, *body, footer]


# ---------------------------------------------------------------------------------------------
# The working state of one table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One published equation: the members add up to the total."""

    axis: Literal["row", "column"]
    index: int
    members: tuple[Position, ...]
    total: Position

    @property
    def figures(self) -> tuple[Position, ...]:
        return (*self.members, self.total)


def _lines(n_rows: int, n_columns: int, *, rows_overlap: bool = False) -> tuple[_Line, ...]:
    """Row lines (the total row included), then column lines (the total column included).

    With overlapping rows only the rows of the body are published equations: nothing adds up down a column.
    """
    if rows_overlap:
        return tuple(
            _Line("row", i, tuple((i, j) for j in range(n_columns)), (i, n_columns)) for i in range(n_rows)
        )
    rows = tuple(
        _Line("row", i, tuple((i, j) for j in range(n_columns)), (i, n_columns)) for i in range(n_rows + 1)
    )
    columns = tuple(
        _Line("column", j, tuple((i, j) for i in range(n_rows)), (n_rows, j)) for j in range(n_columns + 1)
    )
    return rows + columns


class _Suppressor:
    """Mutable state while one table is being suppressed: its figures and which of them are hidden."""

    def __init__(self, table: Table, policy: SuppressionPolicy) -> None:
        self.table = table
        self.policy = policy
        self.rows_overlap = table.rows_overlap
        self.values = table.extended_values()
        self.hidden: dict[Position, HiddenReason] = {}
        self.lines = _lines(len(table.rows), len(table.columns), rows_overlap=table.rows_overlap)
        self.lines_at: dict[Position, list[_Line]] = {position: [] for position in self.values}
        for line in self.lines:
            for position in line.figures:
                self.lines_at[position].append(line)
        self.tied = self._tied_positions()

    def _tied_positions(self) -> tuple[Position, ...]:
        """With overlapping rows: the grand total ``n`` first, then every row total equal to it. A reader
        knows these are the same figure (every row describes the whole group), so they are hidden together."""
        if not self.rows_overlap:
            return ()
        n_rows, n_columns = len(self.table.rows), len(self.table.columns)
        grand = (n_rows, n_columns)
        rows = tuple(
            (i, n_columns) for i in range(n_rows) if self.values[(i, n_columns)] == self.values[grand]
        )
        return (grand, *rows)

    # -- basic operations ------------------------------------------------------------------------------------

    def hide(self, position: Position, reason: HiddenReason) -> bool:
        if position in self.hidden:
            return False
        self.hidden[position] = reason
        return True

    def is_shown(self, position: Position) -> bool:
        return position not in self.hidden

    def neighbours(self, position: Position) -> list[Position]:
        """Figures that share a published equation with this one: its lines, and with overlapping rows every
        figure tied to ``n`` when it is one of them."""
        group = self.tied if position in self.tied else (position,)
        return [*group, *(p for q in group for line in self.lines_at[q] for p in line.figures)]

    def sync_tied(self) -> bool:
        """Hide every figure tied to ``n`` once one of them is hidden. True when something was hidden."""
        reasons = [self.hidden[p] for p in self.tied if p in self.hidden]
        if not reasons:
            return False
        changed = False
        for position in self.tied:
            changed |= self.hide(position, reasons[0])
        return changed

    def hide_everything(self, reason: HiddenReason) -> None:
        for position in self.values:
            self.hide(position, reason)

    def apply_primary(self) -> None:
        """Hide every count of 1..k-1; with overlapping rows first the cells of every row whose total is
        1..min_group_size-1 (the total itself is a count like any other: shown from k)."""
        if self.rows_overlap:
            self._hide_small_rows()
        for position, value in self.values.items():
            if self.policy.is_sensitive(value):
                self.hide(position, HiddenReason.PRIMARY)
        self.sync_tied()

    def _hide_small_rows(self) -> None:
        """Overlapping rows: a row of fewer than ``min_group_size`` persons hides its cells (zeros too, or a
        lone non-zero cell would follow from its total), not its total. The total, and n, are counts like any
        other: 1..k-1 hidden by the primary rule, k and more shown. So a group of 5..9 shows its n in every
        table and hides only how its persons are spread (decision of 2026-11: hiding n as well spread ":"
        for n through every table and every cooperation report that includes the group)."""
        minimum = self.policy.min_group_size
        n_rows, n_columns = len(self.table.rows), len(self.table.columns)
        for i in range(n_rows):
            if 0 < self.values[(i, n_columns)] < minimum:
                for j in range(n_columns):
                    self.hide((i, j), HiddenReason.GROUP_TOO_SMALL)

    # -- secondary suppression -------------------------------------------------------------------------------

    def apply_secondary(self) -> bool:
        """Hide complementary cells until no line and no combination of lines gives a hidden figure away.

        With overlapping rows the rows share no figure but ``n`` (hidden everywhere or nowhere, and a row
        whose total is hidden keeps a hidden cell by the line rule), so the line rules are the whole check.
        """
        changed_any = False
        while self.sync_tied() or self._fix_lines() or (not self.rows_overlap and self._fix_one_bridge()):
            changed_any = True
        return changed_any

    def _fix_lines(self) -> bool:
        changed = False
        for line in self.lines:
            while self._line_needs_complement(line):
                complement = self._choose_complement(line)
                if complement is None:
                    break
                self.hide(complement, HiddenReason.SECONDARY)
                changed = True
        return changed

    def _line_needs_complement(self, line: _Line) -> bool:
        """A lone hidden figure follows from the others; a small hidden sum is itself a small count."""
        hidden = [p for p in line.figures if p in self.hidden]
        if len(hidden) == 1:
            return True
        if self.is_shown(line.total):
            hidden_sum = sum(self.values[p] for p in line.members if p in self.hidden)
            return self.policy.is_sensitive(hidden_sum)
        return False

    def _choose_complement(self, line: _Line) -> Position | None:
        """The smallest non-zero shown member, preferring one whose crossing line also needs a second hidden.

        Zeros come last. Hiding a zero adds nothing to the line's hidden sum, so it cannot repair a small sum,
        and since zeros are otherwise published a reader who knows the rule can guess a hidden cell beside
        published zeros is a zero. A zero is used only when the line has nothing else: then every other
        member is zero or hidden, and the lone hidden figure it pairs with is never a small count (that case
        is caught by the sum rule, which only accepts non-zero complements). The total is the last resort,
        needed only in a one-column (or one-row) table where a line has a single member.
        """
        candidates = [p for p in line.members if self.is_shown(p)]
        if not candidates:
            return line.total if self.is_shown(line.total) else None
        return min(
            candidates, key=lambda p: (self.values[p] == 0, self._crossing_score(p, line), self.values[p], p)
        )

    def _crossing_score(self, position: Position, line: _Line) -> int:
        """0: the crossing line has one hidden figure (this fixes it); 1: several, or no crossing line;
        2: none (new work)."""
        crossing = [other for other in self.lines_at[position] if other is not line]
        if not crossing:
            return 1
        hidden_count = sum(1 for p in crossing[0].figures if p in self.hidden)
        return {0: 2, 1: 0}.get(hidden_count, 1)

    def _fix_one_bridge(self) -> bool:
        """Lines alone do not catch every recovery: two blocks of hidden cells joined by a single hidden cell
        let an attacker solve for that cell by adding and subtracting lines. In the graph whose nodes are
        the lines and whose edges are the hidden figures, a figure is recoverable exactly when its edge is a
        bridge (the equations form a bipartite incidence system whose null space is the cycle space). Put it
        on a cycle.
        """
        bridges = _bridges(self._hidden_graph())
        if not bridges:
            return False
        bridge = min(bridges)
        complement = self._close_cycle(bridge) or self._nearest_shown(bridge)
        if complement is None:
            return False
        return self.hide(complement, HiddenReason.SECONDARY)

    def _hidden_graph(self) -> dict[_Node, list[tuple[_Node, Position]]]:
        graph: dict[_Node, list[tuple[_Node, Position]]] = {}
        for line in self.lines:
            graph[(line.axis, line.index)] = []
        for i, j in self.hidden:
            graph[("row", i)].append((("column", j), (i, j)))
            graph[("column", j)].append((("row", i), (i, j)))
        return graph

    def _close_cycle(self, bridge: Position) -> Position | None:
        graph = self._hidden_graph()
        side_a = _reachable(graph, ("row", bridge[0]), without=bridge)
        side_b = _reachable(graph, ("column", bridge[1]), without=bridge)
        candidates = [
            (i, j)
            for (i, j) in self.values
            if self.is_shown((i, j))
            and (
                (("row", i) in side_a and ("column", j) in side_b)
                or (("row", i) in side_b and ("column", j) in side_a)
            )
        ]
        return min(candidates, key=lambda p: (self.values[p] == 0, self.values[p], p), default=None)

    def _nearest_shown(self, position: Position) -> Position | None:
        candidates = [p for p in self.neighbours(position) if self.is_shown(p)]
        return min(candidates, key=lambda p: (self.values[p] == 0, self.values[p], p), default=None)

    # -- result ----------------------------------------------------------------------------------------------

    def result(self) -> SuppressedTable:
        table = self.table
        n_rows, n_columns = len(table.rows), len(table.columns)

        def cell(position: Position) -> Cell:
            reason = self.hidden.get(position)
            if reason is not None:
                return Cell(None, reason)
            if position not in self.values:  # a column sum of overlapping rows
                return Cell(None, HiddenReason.NOT_PUBLISHED)
            return Cell(self.values[position])

        return SuppressedTable(
            rows=tuple(table.rows),
            columns=tuple(table.columns),
            cells=tuple(tuple(cell((i, j)) for j in range(n_columns)) for i in range(n_rows)),
            row_totals=tuple(cell((i, n_columns)) for i in range(n_rows)),
            column_totals=tuple(cell((n_rows, j)) for j in range(n_columns)),
            grand_total=cell((n_rows, n_columns)),
            n=self._published_n(),
            notes=_notes(
                set(self.hidden.values()),
                self.policy,
                small_rows=self.rows_overlap
                and not 0 < self.values[(n_rows, n_columns)] < self.policy.min_group_size,
                count_only=self.rows_overlap and self.is_shown((n_rows, n_columns)),
            ),
            policy=self.policy,
            title=table.title,
            rows_overlap=table.rows_overlap,
        )

    def _published_n(self) -> int | None:
        grand = (len(self.table.rows), len(self.table.columns))
        if self.rows_overlap:
            return None if grand in self.hidden else self.values[grand]
        if HiddenReason.GROUP_TOO_SMALL in self.hidden.values():
            return None
        if self.table.respondents is None:
            return None if grand in self.hidden else self.values[grand]
        return None if self.policy.is_sensitive(self.table.respondents) else self.table.respondents


def _bridges(graph: Mapping[_Node, list[tuple[_Node, Position]]]) -> list[Position]:
    """Bridges of an undirected graph, by Tarjan's low-link method (iterative: tables may have many rows)."""
    discovered: dict[_Node, int] = {}
    low: dict[_Node, int] = {}
    bridges: list[Position] = []
    for start in graph:
        if start in discovered:
            continue
        discovered[start] = low[start] = len(discovered)
        stack: list[tuple[_Node, Position | None, Iterator[tuple[_Node, Position]]]] = [
            (start, None, iter(graph[start]))
        ]
        while stack:
            node, via, neighbours = stack[-1]
            for neighbour, edge in neighbours:
                if edge == via:
                    continue
                if neighbour in discovered:
                    low[node] = min(low[node], discovered[neighbour])
                    continue
                discovered[neighbour] = low[neighbour] = len(discovered)
                stack.append((neighbour, edge, iter(graph[neighbour])))
                break
            else:
                stack.pop()
                if stack and via is not None:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > discovered[parent]:
                        bridges.append(via)
    return bridges


def _reachable(
    graph: Mapping[_Node, list[tuple[_Node, Position]]], start: _Node, *, without: Position
) -> set[_Node]:
    seen = {start}
    queue = deque([start])
    while queue:
        for neighbour, edge in graph[queue.popleft()]:
            if edge != without and neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen


def _notes(
    reasons: set[HiddenReason],
    policy: SuppressionPolicy,
    *,
    small_rows: bool = False,
    count_only: bool = False,
) -> tuple[str, ...]:
    """``small_rows``: the figures hidden for a small group are single rows (overlapping rows), not all.
    ``count_only``: a small group's figures are hidden but its size n is shown (overlapping rows)."""
    notes: list[str] = []
    if HiddenReason.GROUP_TOO_SMALL in reasons and small_rows:
        notes.append(
            _("Rader med færre enn {minimum} personer vises ikke.").format(minimum=policy.min_group_size)
        )
    elif HiddenReason.GROUP_TOO_SMALL in reasons and count_only:
        notes.append(
            _("Gruppen har færre enn {minimum} personer, derfor vises bare antallet.").format(
                minimum=policy.min_group_size
            )
        )
    elif HiddenReason.GROUP_TOO_SMALL in reasons:
        notes.append(
            _("Gruppen har færre enn {minimum} personer, derfor vises ingen tall.").format(
                minimum=policy.min_group_size
            )
        )
    if HiddenReason.PRIMARY in reasons:
        if policy.k == 2:
            notes.append(_("Tallet 1 er skjult for å verne personvernet (k = 2)."))
        else:
            notes.append(
                _("Tall mellom 1 og {largest} er skjult for å verne personvernet (k = {k}).").format(
                    largest=policy.k - 1, k=policy.k
                )
            )
    if HiddenReason.SECONDARY in reasons:
        notes.append(_("Ytterligere celler er skjult slik at skjulte tall ikke kan regnes ut fra summene."))
    if HiddenReason.DIFFERENCE in reasons:
        notes.append(
            _(
                "Noen tall er skjult fordi de ellers kunne regnes ut ved å trekke denne tabellen fra en "
                "annen publisert tabell."
            )
        )
    if reasons:
        notes.append(_("Tegnet «{symbol}» betyr at tallet er skjult.").format(symbol=HIDDEN_SYMBOL))
    return tuple(notes)


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------


def suppress_table(
    table: Table,
    policy: SuppressionPolicy | None = None,
    *,
    hide_small_group: bool = False,
    forced: Iterable[Position] = (),
) -> SuppressedTable:
    """Suppress one table: primary (1..k-1, totals included), then secondary until nothing can be derived.

    A table with ``rows_overlap`` is protected row by row against its row totals (its column sums are not
    published; see the module docstring). ``hide_small_group``: for survey-like groups, hide every figure
    when ``table.n`` is 1..min_group_size-1 (a group of 0 shows its zeros). ``policy`` defaults to
    :meth:`SuppressionPolicy.from_settings`. ``forced``: positions of the extended grid to hide as well (e.g.
    a total another published table hides), protected by the secondary rules like any other hidden figure.
    """
    policy = policy or SuppressionPolicy.from_settings()
    state = _Suppressor(table, policy)
    if hide_small_group and 0 < table.n < policy.min_group_size:
        state.hide_everything(HiddenReason.GROUP_TOO_SMALL)
        return state.result()
    state.apply_primary()
    _force(state, forced)
    if policy.secondary:
        state.apply_secondary()
    return state.result()


def suppress_counts(
    counts: Mapping[str, int],
    policy: SuppressionPolicy | None = None,
    *,
    column: str = "Antall",
    title: str = "",
    respondents: int | None = None,
    hide_small_group: bool = False,
) -> SuppressedTable:
    """Suppress a frequency table (category → count): read ``cells[i][0]`` per category, ``grand_total``."""
    table = Table.one_way(counts, column=column, title=title, respondents=respondents)
    return suppress_table(table, policy, hide_small_group=hide_small_group)


def suppress_indicators(
    rows: Sequence[tuple[str, int]],
    n: int,
    policy: SuppressionPolicy | None = None,
    *,
    columns: tuple[str, str] = ("Ja", "Nei"),
    title: str = "",
) -> SuppressedTable:
    """Yes/no indicators over one group of ``n`` units (e.g. "has a coordinator", "has a crisis plan").

    A table of overlapping rows (``rows_overlap``): each row is "yes" and "no" of the same ``n``, protected on
    its own with its total ``n`` (a small "yes" hides "no" too, and the other way round), the column sums are
    not published, and a group of 1..min_group_size-1 is hidden whole.
    """
    table = Table(
        [label for label, _yes in rows],
        list(columns),
        [[yes, n - yes] for _label, yes in rows],
        title=title,
        respondents=n,
        rows_overlap=True,
    )
    return suppress_table(table, policy)


def union_of(tables: Sequence[SuppressedTable]) -> SuppressedTable:
    """One table as published by several suppression runs (the same counts), with every figure hidden that
    any run hides: the first hidden version of each figure, the notes of all runs, ``n`` only when every run
    shows it. Used where one table is protected against several others and must look the same beside each.
    """
    if not tables:
        raise ValueError("union_of needs at least one table")
    first = tables[0]
    for other in tables[1:]:
        if (other.rows, other.columns, other.rows_overlap) != (first.rows, first.columns, first.rows_overlap):
            raise ValueError(f"table {other.title!r} does not have the same shape")

    def pick(position: Position) -> Cell:
        for table in tables:
            if table.figure(position).hidden:
                return table.figure(position)
        return first.figure(position)

    n_rows, n_columns = len(first.rows), len(first.columns)
    return SuppressedTable(
        rows=first.rows,
        columns=first.columns,
        cells=tuple(tuple(pick((i, j)) for j in range(n_columns)) for i in range(n_rows)),
        row_totals=tuple(pick((i, n_columns)) for i in range(n_rows)),
        column_totals=tuple(pick((n_rows, j)) for j in range(n_columns)),
        grand_total=pick((n_rows, n_columns)),
        n=None if any(table.n is None for table in tables) else first.n,
        notes=tuple(dict.fromkeys(note for table in tables for note in table.notes)),
        policy=first.policy,
        title=first.title,
        rows_overlap=first.rows_overlap,
    )


@dataclass(frozen=True)
class Shares:
    """Percentages (one decimal) laid out like a :class:`SuppressedTable`; None where not publishable."""

    axis: Axis
    cells: tuple[tuple[float | None, ...], ...]
    row_totals: tuple[float | None, ...]
    column_totals: tuple[float | None, ...]
    grand_total: float | None
    notes: tuple[str, ...]


def percentages(table: SuppressedTable, axis: Axis = "row") -> Shares:
    """Shares of the row total (``"row"``), column total (``"column"``) or grand total (``"total"``).

    With ``"row"``, the total row gives each column total's share of the grand total (and ``"column"`` the
    mirror). A share is None when its count is hidden, or its denominator is hidden, zero, or below
    ``policy.min_group_size``. Only published figures are used, so shares reveal nothing new.
    """
    if axis not in ("row", "column", "total"):
        raise ValueError(f"axis must be 'row', 'column' or 'total', not {axis!r}")
    n_rows, n_columns = len(table.rows), len(table.columns)
    minimum = table.policy.min_group_size
    small_group = False

    def denominator_position(i: int, j: int) -> Position:
        if axis == "row":
            return (i, n_columns)
        if axis == "column":
            return (n_rows, j)
        return (n_rows, n_columns)

    def share(i: int, j: int) -> float | None:
        nonlocal small_group
        numerator = table.figure((i, j)).value
        denominator = table.figure(denominator_position(i, j)).value
        if numerator is None or denominator is None or denominator == 0:
            return None
        if denominator < minimum:
            small_group = True
            return None
        exact = Decimal(100 * numerator) / Decimal(denominator)
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    cells = tuple(tuple(share(i, j) for j in range(n_columns)) for i in range(n_rows))
    row_totals = tuple(share(i, n_columns) for i in range(n_rows))
    column_totals = tuple(share(n_rows, j) for j in range(n_columns))
    grand_total = share(n_rows, n_columns)
    notes: tuple[str, ...] = ()
    if small_group:
        notes = (
            _("Andeler vises ikke for grupper med færre enn {minimum} personer.").format(minimum=minimum),
        )
    return Shares(axis, cells, row_totals, column_totals, grand_total, notes)


@dataclass(frozen=True)
class LinkedTables:
    """The result of :func:`suppress_linked`: the parent and the children, in the order given."""

    parent: SuppressedTable
    children: tuple[SuppressedTable, ...]


def suppress_linked(
    parent: Table,
    children: Sequence[Table],
    policy: SuppressionPolicy | None = None,
    *,
    forced: Sequence[Iterable[Position]] | None = None,
) -> LinkedTables:
    """Suppress tables that are published together and nest: a parent and children whose counts sum into it.

    Use it whenever a figure is shown beside another it contains, e.g. a cooperation (parent) beside one or
    more of its member municipalities (children). All tables must have the same row and column labels, in the
    same order, and the same ``rows_overlap``; every child cell must be at most the parent cell. The children
    together may cover all of the parent (a partition) or part of it. Publish the returned tables, never
    separately suppressed ones: separate suppression lets a reader subtract a member from its cooperation and
    read off the other members' counts.

    What is guaranteed, iterating until nothing changes:

    * each table on its own satisfies :func:`suppress_table` (primary and secondary);
    * for every non-empty set S of children and every figure (totals included), the difference
      parent - sum(S) computed from *shown* figures is 0 or at least k. A small difference hides the figure in
      the parent, and also in the child when S is a single child (the usual municipality-beside-cooperation
      case, so the two are hidden alike);
    * in every line where that difference's total can be computed, the hidden part of the difference does not
      add up to 1..k-1;
    * no hidden figure can be recovered exactly from all the published figures together, counting the
      equation parent = sum(children) when the children make up the whole parent (with overlapping rows:
      the row equations and "a row total equal to n is n"; column sums are not published).

    At most :data:`MAX_LINKED_CHILDREN` children (every subset is checked). Raises ValueError on mismatched
    tables. ``forced``: positions to hide as well, one collection per table (the parent first).
    """
    policy = policy or SuppressionPolicy.from_settings()
    _check_linked(parent, children)
    parent_state = _Suppressor(parent, policy)
    child_states = [_Suppressor(child, policy) for child in children]
    states = [parent_state, *child_states]
    partition = all(
        parent_state.values[p] == sum(child.values[p] for child in child_states) for p in parent_state.values
    )
    subsets = [
        subset
        for size in range(1, len(children) + 1)
        for subset in itertools.combinations(range(len(children)), size)
    ]
    for state in states:
        state.apply_primary()
    if forced is not None:
        if len(forced) != len(states):
            raise ValueError("forced needs one collection of positions per table, the parent first")
        for state, positions in zip(states, forced, strict=True):
            _force(state, positions)
    while True:
        if policy.secondary:
            for state in states:
                state.apply_secondary()
        changed = False
        for subset in subsets:
            changed |= _protect_differences(parent_state, [child_states[i] for i in subset])
        if not changed and policy.secondary:
            changed = _fix_joint_recovery(states, partition)
        if not changed:
            break
    return LinkedTables(parent_state.result(), tuple(state.result() for state in child_states))


def _force(state: _Suppressor, positions: Iterable[Position]) -> None:
    n_rows, n_columns = len(state.table.rows), len(state.table.columns)
    for position in positions:
        if position not in state.values:
            if state.rows_overlap and position[0] == n_rows and 0 <= position[1] < n_columns:
                continue  # a column sum of overlapping rows: never published anyway
            raise ValueError(f"position {position} is not in the table")
        state.hide(position, HiddenReason.SECONDARY)
    state.sync_tied()


def _check_linked(parent: Table, children: Sequence[Table]) -> None:
    if len(children) > MAX_LINKED_CHILDREN:
        raise ValueError(f"at most {MAX_LINKED_CHILDREN} linked children, got {len(children)}")
    for child in children:
        if tuple(child.rows) != tuple(parent.rows) or tuple(child.columns) != tuple(parent.columns):
            raise ValueError(f"table {child.title!r} does not have the parent's rows and columns")
        if child.rows_overlap != parent.rows_overlap:
            raise ValueError(f"table {child.title!r} and the parent differ in rows_overlap")
    child_values = [child.extended_values() for child in children]
    for position, value in parent.extended_values().items():
        if sum(values[position] for values in child_values) > value:
            raise ValueError(f"the children add up to more than the parent at {position}")


def _protect_differences(parent: _Suppressor, subset: Sequence[_Suppressor]) -> bool:
    """Apply the difference rules for one set of children. Returns True when something was hidden."""
    policy = parent.policy
    difference = {p: value - sum(child.values[p] for child in subset) for p, value in parent.values.items()}
    also_hide = list(subset) if len(subset) == 1 else []

    def computable(position: Position) -> bool:
        return all(state.is_shown(position) for state in (parent, *subset))

    def hide(position: Position, reason: HiddenReason) -> bool:
        hidden_now = False
        for state in (parent, *also_hide):  # every table, no short-circuit
            hidden_now |= state.hide(position, reason)
        return hidden_now

    changed = False
    for position, value in difference.items():
        if computable(position) and policy.is_sensitive(value):
            changed |= hide(position, HiddenReason.DIFFERENCE)
    if not policy.secondary:
        return changed
    for line in parent.lines:
        while computable(line.total):
            hidden_sum = sum(difference[p] for p in line.members if not computable(p))
            if not policy.is_sensitive(hidden_sum):
                break
            candidates = [p for p in line.members if computable(p) and difference[p] > 0]
            if not candidates:
                break
            changed |= hide(min(candidates, key=lambda p: (difference[p], p)), HiddenReason.SECONDARY)
    return changed


def _fix_joint_recovery(states: Sequence[_Suppressor], partition: bool) -> bool:
    """Hide one more figure if any hidden figure follows from all published tables together.

    Each table alone is already safe (bridges); what links them is the equation parent = sum(children) when
    the children are the whole parent. With it, a figure hidden only in the parent can be added up from the
    children, so this check solves the joint system exactly (rational elimination) instead of table by table.
    """
    if not partition:
        return False
    equations = _joint_equations(states)
    for table_index, position in sorted(_recoverable(equations)):
        candidates = _joint_neighbours(states, table_index, position)
        if candidates:
            chosen_table, chosen = min(
                candidates, key=lambda c: (states[c[0]].values[c[1]] == 0, states[c[0]].values[c[1]], c)
            )
            return states[chosen_table].hide(chosen, HiddenReason.SECONDARY)
    return False


def _joint_equations(states: Sequence[_Suppressor]) -> list[dict[_Variable, int]]:
    """The published equations restricted to hidden figures (shown figures are known constants)."""
    equations: list[dict[_Variable, int]] = []
    for index, state in enumerate(states):
        for line in state.lines:
            equation = {(index, p): 1 for p in line.members if p in state.hidden}
            if line.total in state.hidden:
                equation[(index, line.total)] = -1
            equations.append(equation)
        for position in state.tied[1:]:  # overlapping rows: a row total equal to n is n
            equation = {(index, position): 1} if position in state.hidden else {}
            if state.tied[0] in state.hidden:
                equation[(index, state.tied[0])] = -1
            equations.append(equation)
    for position in states[0].values:
        equation = {(0, position): 1} if position in states[0].hidden else {}
        equation.update(
            {(index, position): -1 for index, s in enumerate(states) if index and position in s.hidden}
        )
        equations.append(equation)
    return [equation for equation in equations if equation]


def _recoverable(equations: Iterable[dict[_Variable, int]]) -> set[_Variable]:
    """Variables whose value the equations fix: those with a unit row in the reduced row echelon form."""
    pivots: dict[_Variable, dict[_Variable, Fraction]] = {}
    for raw in equations:
        row = {variable: Fraction(coefficient) for variable, coefficient in raw.items()}
        for pivot, pivot_row in pivots.items():
            factor = row.get(pivot)
            if factor:
                _add_multiple(row, pivot_row, -factor)
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {variable: value / scale for variable, value in row.items()}
        for other in pivots.values():
            factor = other.get(pivot)
            if factor:
                _add_multiple(other, row, -factor)
        pivots[pivot] = row
    return {pivot for pivot, row in pivots.items() if len(row) == 1}


def _add_multiple(
    target: dict[_Variable, Fraction], source: Mapping[_Variable, Fraction], factor: Fraction
) -> None:
    for variable, value in source.items():
        updated = target.get(variable, Fraction(0)) + factor * value
        if updated:
            target[variable] = updated
        else:
            target.pop(variable, None)


def _joint_neighbours(
    states: Sequence[_Suppressor], table_index: int, position: Position
) -> list[tuple[int, Position]]:
    """Shown figures that share an equation with the given one: its row and column (see
    ``_Suppressor.neighbours``), and the same position in the parent and the other children."""
    state = states[table_index]
    same_table = [(table_index, p) for p in state.neighbours(position)]
    across = [(index, position) for index in range(len(states))]
    return [(index, p) for index, p in [*same_table, *across] if states[index].is_shown(p)]
