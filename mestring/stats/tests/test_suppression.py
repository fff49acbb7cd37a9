"""Disclosure control against hand-computed tables, plus properties over random ones.

Positions are (row, column) in the extended grid: the index after the last row is the total row, the index
after the last column the total column. ``P``/``S``/``D`` below mark primary, secondary and difference cells.
"""

from __future__ import annotations

import itertools
import types
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mestring.stats import suppression
from mestring.stats.suppression import (
    HIDDEN_SYMBOL,
    Cell,
    HiddenReason,
    Position,
    SuppressedTable,
    SuppressionPolicy,
    Table,
    percentages,
    suppress_counts,
    suppress_indicators,
    suppress_linked,
    suppress_table,
)

P = HiddenReason.PRIMARY
S = HiddenReason.SECONDARY
D = HiddenReason.DIFFERENCE
DEFAULT = SuppressionPolicy()


def hidden(table: SuppressedTable) -> dict[Position, HiddenReason]:
    return {p: reason for p in table.hidden_positions if (reason := table.figure(p).reason) is not None}


# -- policy --------------------------------------------------------------------------------------------------


def test_policy_defaults() -> None:
    assert SuppressionPolicy(k=5, min_group_size=10, secondary=True) == DEFAULT
    assert [DEFAULT.is_sensitive(v) for v in (0, 1, 4, 5)] == [False, True, True, False]


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        SuppressionPolicy(k=0)
    with pytest.raises(ValueError):
        SuppressionPolicy(min_group_size=-1)


def test_policy_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import django.conf

    fake = types.SimpleNamespace(configured=True, MESTRING_SUPPRESSION={"k": 3, "min_group_size": 20})
    monkeypatch.setattr(django.conf, "settings", fake)
    assert SuppressionPolicy.from_settings() == SuppressionPolicy(k=3, min_group_size=20)

    monkeypatch.setattr(django.conf, "settings", types.SimpleNamespace(configured=True))
    assert SuppressionPolicy.from_settings() == DEFAULT

    monkeypatch.setattr(django.conf, "settings", types.SimpleNamespace(configured=False))
    assert SuppressionPolicy.from_settings() == DEFAULT

    fake = types.SimpleNamespace(configured=True, MESTRING_SUPPRESSION={"k": "5"})
    monkeypatch.setattr(django.conf, "settings", fake)
    with pytest.raises(ValueError):
        SuppressionPolicy.from_settings()


# -- primary -------------------------------------------------------------------------------------------------


def test_k_boundary_four_hidden_five_shown_zero_shown() -> None:
    result = suppress_counts({"a": 4, "b": 5, "c": 0}, SuppressionPolicy(secondary=False))

    assert [str(line[0]) for line in result.cells] == [HIDDEN_SYMBOL, "5", "0"]
    assert result.cells[0][0] == Cell(None, P)
    assert result.grand_total == Cell(9)
    assert result.n == 9
    assert "Tall mellom 1 og 4 er skjult for å verne personvernet (k = 5)." in result.notes


def test_small_marginal_total_is_hidden_and_protected() -> None:
    # a: 1P 9S | 10    b: 2P 8S | 10    c: 0 7 | 7    total: 3P 24S | 27
    # Rows a and b each hold one hidden cell -> 9 and 8 go. The total row then has only 3 hidden -> 24 goes.
    table = Table(["a", "b", "c"], ["x", "y"], [[1, 9], [2, 8], [0, 7]])

    result = suppress_table(table, DEFAULT)

    assert hidden(result) == {(0, 0): P, (1, 0): P, (3, 0): P, (0, 1): S, (1, 1): S, (3, 1): S}
    assert result.display_grid() == [
        ["", "x", "y", "I alt"],
        ["a", ":", ":", "10"],
        ["b", ":", ":", "10"],
        ["c", "0", "7", "7"],
        ["I alt", ":", ":", "27"],
    ]


def test_row_of_small_counts_hides_its_total_and_partner_row() -> None:
    # a: 2P 1P | 3P  b: 10 20 | 30  totals 12 21 | 33. Each column of row a has one hidden cell -> row b goes.
    result = suppress_table(Table(["a", "b"], ["x", "y"], [[2, 1], [10, 20]]), DEFAULT)

    assert hidden(result) == {(0, 0): P, (0, 1): P, (0, 2): P, (1, 0): S, (1, 1): S, (1, 2): S}
    assert [str(c) for c in result.column_totals] == ["12", "21"]
    assert str(result.grand_total) == "33"


# -- secondary -----------------------------------------------------------------------------------------------


def test_secondary_in_row_with_one_hidden_cell() -> None:
    #        x    y    z  | total
    # r1     3P   8    6S | 17      row r1: smallest non-zero partner is 6
    # r2     9S   7   12S | 28      column x: 9 < 11; column z: 12 fixes row r2 (which already has 9 hidden)
    # r3    11   10   14  | 35
    table = Table(["r1", "r2", "r3"], ["x", "y", "z"], [[3, 8, 6], [9, 7, 12], [11, 10, 14]])

    result = suppress_table(table, DEFAULT)

    assert hidden(result) == {(0, 0): P, (0, 2): S, (1, 0): S, (1, 2): S}
    assert result.notes == (
        "Tall mellom 1 og 4 er skjult for å verne personvernet (k = 5).",
        "Ytterligere celler er skjult slik at skjulte tall ikke kan regnes ut fra summene.",
        "Tegnet «:» betyr at tallet er skjult.",
    )


def test_zero_is_not_used_as_complement_when_another_cell_exists() -> None:
    # a: 4P 0 5S | 9. The zero next to the 4 would leave the hidden sum at 4; the 5 is taken instead.
    table = Table(["a", "b", "c"], ["x", "y", "z"], [[4, 0, 5], [10, 12, 8], [7, 6, 9]])

    result = suppress_table(table, DEFAULT)

    assert result.cells[0][1] == Cell(0)
    assert hidden(result) == {(0, 0): P, (0, 2): S, (2, 0): S, (2, 2): S}


def test_two_small_cells_in_a_line_still_need_a_partner() -> None:
    # a: 1P 1P 10S 20 | 32. Two hidden 1s add up to 2, which a reader could split only one way (1 + 1).
    table = Table(["a", "b"], ["x", "y", "z", "w"], [[1, 1, 10, 20], [6, 7, 8, 9]])

    result = suppress_table(table, DEFAULT)

    assert hidden(result)[(0, 2)] == S
    assert all(result.figure((0, j)).hidden for j in range(3))
    assert result.figure((0, 3)) == Cell(20)


def test_one_way_frequency_table() -> None:
    # a 3P, b 10, c 0, d 7S: the column's only other non-zero small partner is 7; the total 20 stays.
    result = suppress_counts({"a": 3, "b": 10, "c": 0, "d": 7}, DEFAULT, title="Bosituasjon")

    assert [str(line[0]) for line in result.cells] == [":", "10", "0", ":"]
    assert result.cells[0][0].reason == P and result.cells[3][0].reason == S
    assert result.grand_total == Cell(20)
    assert result.title == "Bosituasjon"
    assert result.cell("b", "Antall") == Cell(10)


def test_configurable_k() -> None:
    counts = {"a": 2, "b": 3, "c": 9, "d": 10}

    k3 = suppress_counts(counts, SuppressionPolicy(k=3))
    k5 = suppress_counts(counts, SuppressionPolicy(k=5))
    k10 = suppress_counts(counts, SuppressionPolicy(k=10))

    # k=3: 2 is primary; its partner is the next smallest non-zero (3). Hidden sum 5 >= 3.
    assert [line[0].reason for line in k3.cells] == [P, S, None, None]
    # k=5: 2 and 3 are both primary and add up to 5, so nothing more is needed.
    assert [line[0].reason for line in k5.cells] == [P, P, None, None]
    # k=10: 2, 3 and 9 are primary (sum 14), 10 is shown.
    assert [line[0].reason for line in k10.cells] == [P, P, P, None]
    assert k3.notes[0] == "Tall mellom 1 og 2 er skjult for å verne personvernet (k = 3)."
    assert k10.grand_total == Cell(24)


def test_whole_small_survey_group_is_hidden() -> None:
    result = suppress_counts({"Ja": 6, "Nei": 3}, DEFAULT, hide_small_group=True)

    assert result.hidden_positions == frozenset(result.positions())
    assert {cell.reason for cell in result.row_totals} == {HiddenReason.GROUP_TOO_SMALL}
    assert result.n is None
    assert result.notes[0] == "Gruppen har færre enn 10 personer, derfor vises ingen tall."

    big_enough = suppress_counts({"Ja": 6, "Nei": 5}, DEFAULT, hide_small_group=True)
    assert big_enough.hidden_positions == frozenset()
    assert suppress_counts({"Ja": 0, "Nei": 0}, DEFAULT, hide_small_group=True).n == 0


def test_respondents_count_as_n() -> None:
    table = Table.one_way({"Bolig": 12, "Arbeid": 9}, respondents=15)
    assert table.n == 15 and table.grand_total == 21
    assert suppress_table(table, DEFAULT, hide_small_group=True).n == 15
    assert suppress_table(Table.one_way({"Bolig": 6}, respondents=3), DEFAULT).n is None


def test_table_from_mapping_fills_zeros_and_keeps_order() -> None:
    table = Table.from_mapping({"a": {"x": 6}, "b": {"y": 7}}, columns=["y", "x"])
    assert table.counts == ((0, 6), (7, 0))
    assert table.row_totals == (6, 7) and table.column_totals == (7, 6) and table.grand_total == 13


@pytest.mark.parametrize(
    "counts",
    [[[1, -1]], [[1]], [[1.5, 2]], [[True, 2]]],
)
def test_table_rejects_bad_counts(counts: list[list[int]]) -> None:
    with pytest.raises(ValueError):
        Table(["a"], ["x", "y"], counts)


# -- percentages ---------------------------------------------------------------------------------------------


def test_percentages_hide_small_groups() -> None:
    #          yes  no | total
    # a          5   0 |  5    row total below 10: no row shares
    # b         12   8 | 20
    # total     17   8 | 25    column "no" below 10: no column shares
    result = suppress_table(Table(["a", "b"], ["yes", "no"], [[5, 0], [12, 8]]), DEFAULT)
    assert result.hidden_positions == frozenset()

    by_row = percentages(result, "row")
    assert by_row.cells == ((None, None), (60.0, 40.0))
    assert by_row.row_totals == (None, 100.0)
    assert by_row.column_totals == (68.0, 32.0)
    assert by_row.grand_total == 100.0
    assert by_row.notes == ("Andeler vises ikke for grupper med færre enn 10 personer.",)

    by_column = percentages(result, "column")
    assert by_column.cells == ((29.4, None), (70.6, None))
    assert by_column.row_totals == (20.0, 80.0)
    assert by_column.column_totals == (100.0, None)

    of_total = percentages(result, "total")
    assert of_total.cells == ((20.0, 0.0), (48.0, 32.0))
    assert of_total.notes == ()


def test_percentages_of_hidden_cells_are_none_and_rounding_is_half_up() -> None:
    result = suppress_counts({"a": 3, "b": 10, "c": 0, "d": 7}, DEFAULT)
    assert percentages(result, "column").cells == ((None,), (50.0,), (0.0,), (None,))

    sixteen = suppress_table(Table(["a", "b"], ["x"], [[1], [15]]), DEFAULT)
    assert percentages(sixteen, "column").cells == ((None,), (None,))
    shown = suppress_counts({"a": 5, "b": 75}, DEFAULT)
    assert percentages(shown, "column").cells == ((6.3,), (93.8,))  # 6.25 -> 6.3, 93.75 -> 93.8


def test_percentages_reject_unknown_axis() -> None:
    with pytest.raises(ValueError):
        percentages(suppress_counts({"a": 5}, DEFAULT), "diagonal")  # type: ignore[arg-type]


# -- linked tables (differencing) ----------------------------------------------------------------------------

ROWS = ["Bolig", "Arbeid", "Helse"]
COLUMNS = ["Kvinne", "Mann"]


def shown_differences(parent: SuppressedTable, children: Sequence[SuppressedTable]) -> dict[Position, int]:
    """What a reader can compute: parent minus children, wherever all of them are shown."""
    result: dict[Position, int] = {}
    for position in parent.positions():
        values = [parent.figure(position).value, *(c.figure(position).value for c in children)]
        if all(v is not None for v in values):
            parent_value, *child_values = values
            assert parent_value is not None
            result[position] = parent_value - sum(v for v in child_values if v is not None)
    return result


def test_linked_cooperation_and_member() -> None:
    # Setesdal (parent)      Evje og Hornnes (child)     difference
    #  Bolig   12 15 | 27      10  8 | 18                  2  7 |  9
    #  Arbeid   9 11 | 20       9  6 | 15                  0  5 |  5
    #  Helse   20 18 | 38      14 12 | 26                  6  6 | 12
    #  total   41 44 | 85      33 26 | 59                  8 18 | 26
    # Nothing is below 5 in either table, but Bolig/Kvinne differs by 2: hidden in both (D). The Bolig row of
    # the difference then hides 7 (its hidden sum 2 is too small), the Kvinne column hides 6 (Helse; the
    # Arbeid difference is 0), and secondary suppression closes the rectangle with Helse/Mann.
    setesdal = Table(ROWS, COLUMNS, [[12, 15], [9, 11], [20, 18]], title="Setesdal")
    evje = Table(ROWS, COLUMNS, [[10, 8], [9, 6], [14, 12]], title="Evje og Hornnes")
    naive = shown_differences(suppress_table(setesdal, DEFAULT), [suppress_table(evje, DEFAULT)])
    assert naive[(0, 0)] == 2  # separate suppression gives the other members away

    linked = suppress_linked(setesdal, [evje], DEFAULT)

    expected = {(0, 0): D, (0, 1): S, (2, 0): S, (2, 1): S}
    assert hidden(linked.parent) == expected
    assert hidden(linked.children[0]) == expected
    assert linked.parent.title == "Setesdal"
    assert any("trekke denne tabellen fra en annen" in note for note in linked.parent.notes)
    differences = shown_differences(linked.parent, linked.children)
    assert not [p for p, value in differences.items() if DEFAULT.is_sensitive(value)]


def test_linked_rejects_mismatched_tables() -> None:
    parent = Table(ROWS, COLUMNS, [[12, 15], [9, 11], [20, 18]])
    with pytest.raises(ValueError):
        suppress_linked(parent, [Table(ROWS, ["Mann", "Kvinne"], [[1, 1], [1, 1], [1, 1]])], DEFAULT)
    with pytest.raises(ValueError):
        suppress_linked(parent, [Table(ROWS, COLUMNS, [[13, 1], [1, 1], [1, 1]])], DEFAULT)
    with pytest.raises(ValueError):
        suppress_linked(parent, [Table(["a"], ["x"], [[0]])] * 13, DEFAULT)


# -- properties ----------------------------------------------------------------------------------------------

VALUES = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20])


@st.composite
def tables(draw: st.DrawFn, n_rows: int | None = None, n_columns: int | None = None) -> Table:
    rows = n_rows or draw(st.integers(1, 4))
    columns = n_columns or draw(st.integers(1, 4))
    counts = draw(
        st.lists(st.lists(VALUES, min_size=columns, max_size=columns), min_size=rows, max_size=rows)
    )
    return Table([f"r{i}" for i in range(rows)], [f"c{j}" for j in range(columns)], counts)


def lines(table: SuppressedTable) -> list[tuple[list[Position], Position]]:
    n_rows, n_columns = len(table.rows), len(table.columns)
    rows = [([(i, j) for j in range(n_columns)], (i, n_columns)) for i in range(n_rows + 1)]
    columns = [([(i, j) for i in range(n_rows)], (n_rows, j)) for j in range(n_columns + 1)]
    return rows + columns


def recoverable(equations: list[dict[tuple[int, Position], int]]) -> set[tuple[int, Position]]:
    """Hidden figures a reader can solve for: unit vectors in the row space of the published equations."""
    variables = sorted({v for equation in equations for v in equation})
    if not variables:
        return set()
    matrix = np.array([[equation.get(v, 0) for v in variables] for equation in equations], dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for index, variable in enumerate(variables):
        unit = np.zeros((1, len(variables)))
        unit[0, index] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(variable)
    return found


def table_equations(index: int, table: SuppressedTable) -> list[dict[tuple[int, Position], int]]:
    equations = []
    for members, total in lines(table):
        equation = {(index, p): 1 for p in members if table.figure(p).hidden}
        if table.figure(total).hidden:
            equation[(index, total)] = -1
        equations.append(equation)
    return equations


def assert_safe_alone(original: Table, result: SuppressedTable, policy: SuppressionPolicy) -> None:
    values = original.extended_values()
    for position, value in result.shown_values.items():
        assert value == values[position]
        assert not policy.is_sensitive(value), position
    for members, total in lines(result):
        hidden_figures = [p for p in [*members, total] if result.figure(p).hidden]
        assert len(hidden_figures) != 1, (members, total)
        if not result.figure(total).hidden:
            assert not policy.is_sensitive(sum(values[p] for p in members if result.figure(p).hidden))
    assert recoverable(table_equations(0, result)) == set()


@settings(max_examples=300, deadline=None)
@given(tables(), st.sampled_from([2, 3, 5]))
def test_property_nothing_can_be_derived(table: Table, k: int) -> None:
    policy = SuppressionPolicy(k=k)
    assert_safe_alone(table, suppress_table(table, policy), policy)


@settings(max_examples=120, deadline=None)
@given(st.data(), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.booleans())
def test_property_linked_tables_give_nothing_away(
    data: st.DataObject, n_rows: int, n_columns: int, n_children: int, partition: bool
) -> None:
    children = [data.draw(tables(n_rows, n_columns)) for _ in range(n_children)]
    rest = data.draw(tables(n_rows, n_columns)) if not partition else None
    counts = [
        [sum(c.counts[i][j] for c in children) + (rest.counts[i][j] if rest else 0) for j in range(n_columns)]
        for i in range(n_rows)
    ]
    parent = Table(children[0].rows, children[0].columns, counts)

    linked = suppress_linked(parent, children, DEFAULT)

    for original, result in zip([parent, *children], [linked.parent, *linked.children], strict=True):
        assert_safe_alone(original, result, DEFAULT)
    for size in range(1, n_children + 1):
        for subset in itertools.combinations(linked.children, size):
            differences = shown_differences(linked.parent, subset)
            assert not [p for p, value in differences.items() if DEFAULT.is_sensitive(value)]
    if partition:
        published = [linked.parent, *linked.children]
        equations = [e for i, t in enumerate(published) for e in table_equations(i, t)]
        for position in linked.parent.positions():
            equation = {(0, position): 1} if linked.parent.figure(position).hidden else {}
            for index, child in enumerate(linked.children, start=1):
                if child.figure(position).hidden:
                    equation[(index, position)] = -1
            equations.append(equation)
        assert recoverable([e for e in equations if e]) == set()


def test_module_imports_without_django_settings() -> None:
    assert suppression.HIDDEN_SYMBOL == ":"
    assert suppression._("Tekst") == "Tekst"


# -- yes/no indicators over one group ---------------------------------------------------------------------


def values(table: SuppressedTable) -> list[list[int | None]]:
    return [[cell.value for cell in line] for line in table.cells]


def test_indicators_hide_a_small_yes_or_no_with_its_complement_only() -> None:
    table = suppress_indicators(
        [("koordinator", 8), ("kriseplan", 2), ("plan", 12), ("barn", 9)], 14, DEFAULT
    )
    # kriseplan 2 is small; plan's "no" is 2: each hides its own row only (the rows overlap, so there is
    # no column sum to protect), and every row total n = 14 is shown.
    assert values(table) == [[8, 6], [None, None], [None, None], [9, 5]]
    assert [c.value for c in table.row_totals] == [14] * 4
    assert table.n == 14 and table.grand_total.value == 14
    assert all(c.hidden for c in table.column_totals)  # the column sums mean nothing: never published
    assert any(HIDDEN_SYMBOL in note for note in table.notes)
    shares = percentages(table, "row")
    assert shares.cells[0] == (pytest.approx(57.1), pytest.approx(42.9))


def test_indicators_over_a_small_group_hide_every_row() -> None:
    # suppress_indicators is now the yes/no case of overlapping rows (Table.rows_overlap), where a row whose
    # total is below the minimum group size (10) is hidden whole. This used to show the zeros ([[:, 0],
    # [0, :]]); a group of 3 now shows nothing, like any survey-like group below the minimum.
    table = suppress_indicators([("koordinator", 3), ("kriseplan", 0)], 3, DEFAULT)
    assert table.n is None and table.grand_total.hidden
    assert [c.value for c in table.row_totals] == [None, None]
    assert values(table) == [[None, None], [None, None]]
    assert {cell.reason for line in table.cells for cell in line} == {HiddenReason.GROUP_TOO_SMALL}
    assert percentages(table, "row").cells == ((None, None), (None, None))  # no shares below 10
    assert table.notes[0] == "Gruppen har færre enn 10 personer, derfor vises ingen tall."
