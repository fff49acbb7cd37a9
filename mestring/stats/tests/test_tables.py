"""The stats report layer: counting, publishing, renderers (suppression itself: test_suppression)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from mestring.stats.render import (
    render_chart,
    render_csv,
    render_markdown,
    render_xlsx,
    table_rows,
    table_to_dict,
)
from mestring.stats.suppression import HIDDEN_SYMBOL, SuppressionPolicy, Table, suppress_linked
from mestring.stats.tables import Cube, ReportTable, publish, publish_linked, suppress_nested

POLICY = SuppressionPolicy(k=5, min_group_size=10)


def small_table() -> Table:
    # Hand-computed: 3 is primary; its row and column need a second hidden cell each. The smallest
    # non-zero shown cells in row A and column "ja" are 12 (A, nei) and 20 (B, ja) – and then (B, nei) closes
    # the cycle. Row totals stay shown (25+... sums of hidden cells are >= k).
    return Table(["A", "B"], ["ja", "nei"], [[3, 12], [20, 30]], title="Liten tabell")


def test_publish_hides_primary_and_complements_but_never_shows_reasons() -> None:
    published = publish("liten", small_table(), POLICY)
    grid = table_rows(published, with_shares=False)
    assert grid[0] == ["", "ja", "nei", "I alt"]
    assert grid[1] == ["A", ":", ":", "15"]
    assert grid[2] == ["B", ":", ":", "50"]
    assert grid[3] == ["I alt", "23", "42", "65"]
    text = render_csv([published]) + render_markdown([published])
    for reason in ("primary", "secondary", "difference", "group_too_small"):
        assert reason not in text
    assert "Tall mellom 1 og 4 er skjult" in text
    assert "n = 65" in text


def test_shares_only_from_published_figures_and_min_group() -> None:
    table = Table(["A", "B"], ["ja", "nei"], [[6, 3], [20, 30]])
    published = ReportTable(key="t", title="t", table=publish("t", table, POLICY).table, share_axis="row")
    assert published.shares is not None
    # Row A has total 9 < 10: no shares there.
    assert published.shares.row_totals[0] is None
    assert any("færre enn 10" in note for note in published.notes)


def test_cube_margins_and_tables() -> None:
    cube = Cube(
        ("kjonn", "rod"),
        ("ip",),
        {("k", 0): {"n": 10, "ip": 2}, ("k", 3): {"n": 5, "ip": 4}, ("m", 0): {"n": 7, "ip": 1}},
    )
    assert cube.total() == 22
    assert cube.total("ip") == 7
    assert cube.sum_by(lambda d: d["kjonn"]) == {"k": 15, "m": 7}
    table = cube.table(
        rows=["k", "m"],
        columns=["0", "3+"],
        row_of=lambda d: d["kjonn"],
        column_of=lambda d: "3+" if d["rod"] >= 3 else "0",
    )
    assert table.counts == ((10, 5), (7, 0))
    merged = cube.merged(cube)
    assert merged.total() == 44


@pytest.mark.django_db
def test_cube_counts_in_the_database(world) -> None:  # type: ignore[no-untyped-def]
    from django.db.models import Q

    from mestring.mapping.models import MappingEntry
    from mestring.mapping.tests.fixtures import add_entries, ensure_round
    from mestring.stats.tables import condition_table, count_table, cube

    mapping_round = ensure_round("0301", 2026)
    add_entries(mapping_round, 6, gender="k", bolig="rod")
    add_entries(mapping_round, 2, gender="m")
    queryset = MappingEntry.objects.filter(round=mapping_round)
    result = cube(queryset, ["gender"], {"red_housing": Q(bolig="rod")})
    assert result.cells[("k",)] == {"n": 6, "red_housing": 6}
    assert result.cells[("m",)] == {"n": 2, "red_housing": 0}
    table = count_table(
        queryset,
        row_field="gender",
        column_field="bolig",
        rows=[("k", "Kvinne"), ("m", "Mann")],
        columns=[("gronn", "Grønn"), ("rod", "Rød")],
    )
    assert table.counts == ((0, 6), (2, 0))
    conditions = condition_table(
        queryset,
        rows=[("Kvinne", Q(gender="k")), ("Mann", Q(gender="m"))],
        columns=[("Rød bolig", Q(bolig="rod"))],
    )
    assert conditions.counts == ((6,), (0,))


def test_linked_cooperation_and_member_cannot_be_subtracted() -> None:
    """Differencing: the cooperation (parent) and one member published together. Separately suppressed,
    cooperation − member would reveal the other members' 2; linked, no shown difference is 1..k-1."""
    member = Table(["Rød", "Ikke rød"], ["Kvinne", "Mann"], [[10, 12], [20, 25]], title="Kommune")
    others = Table(["Rød", "Ikke rød"], ["Kvinne", "Mann"], [[2, 8], [9, 30]], title="Resten")
    cooperation = Table(
        ["Rød", "Ikke rød"],
        ["Kvinne", "Mann"],
        [
            [a + b for a, b in zip(r1, r2, strict=True)]
            for r1, r2 in zip(member.counts, others.counts, strict=True)
        ],
        title="Samarbeid",
    )
    # Separately, the cooperation shows 12 and the member 10: the difference 2 gives the others away.
    from mestring.stats.suppression import suppress_table

    alone_parent, alone_child = suppress_table(cooperation, POLICY), suppress_table(member, POLICY)
    assert alone_parent.cell("Rød", "Kvinne").value == 12 and alone_child.cell("Rød", "Kvinne").value == 10
    parent, children = publish_linked(("samarbeid", cooperation), [("kommune", member)], POLICY)
    child = children[0]
    for position in parent.table.positions():
        shown_parent = parent.table.figure(position).value
        shown_child = child.table.figure(position).value
        if shown_parent is not None and shown_child is not None:
            assert not POLICY.is_sensitive(shown_parent - shown_child), position
    assert parent.table.cell("Rød", "Kvinne").value is None
    # The published tables never carry reasons into renderers.
    assert "difference" not in render_markdown([parent, child])


def test_suppress_nested_protects_every_parent() -> None:
    child = Table(["a", "b"], ["x", "y"], [[10, 20], [30, 40]])
    parent_one = Table(["a", "b"], ["x", "y"], [[12, 40], [60, 80]])
    parent_two = Table(["a", "b"], ["x", "y"], [[50, 21], [90, 100]])
    result = suppress_nested(child, [parent_one, parent_two], POLICY)
    for parent in result.parents:
        for position in parent.positions():
            p, c = parent.figure(position).value, result.child.figure(position).value
            if p is not None and c is not None:
                assert not POLICY.is_sensitive(p - c)
    # Each parent matches a direct linked run.
    direct = suppress_linked(parent_one, [child], POLICY)
    assert result.parents[0].hidden_positions == direct.parent.hidden_positions


def test_renderers_share_the_same_figures() -> None:
    published = publish("liten", small_table(), POLICY, row_header="Gruppe")
    rows = list(csv.reader(io.StringIO(render_csv([published], title="Tittel")), delimiter=";"))
    assert rows[0] == ["Tittel"]
    assert ["A", ":", ":", ":", ":", "15"] in rows
    workbook = load_workbook(io.BytesIO(render_xlsx([published], title="Tittel")))
    sheet = workbook.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["A", ":", ":", ":", ":", 15] in values
    assert any(row[0] == "n = 65" for row in values)
    markdown = render_markdown([published])
    assert "| A | : | : | : | : | 15 |" in markdown
    data = table_to_dict(published)
    assert data["rows"][0]["counts"] == [None, None]
    assert data["rows"][0]["hidden"] == [True, True]
    assert data["grand_total"] == 65 and data["n"] == 65
    assert "reason" not in str(data)


def test_chart_is_accessible_svg_with_escaped_text() -> None:
    table = Table(["<b>A</b>", "B"], ["ja", "nei"], [[30, 12], [20, 30]], title="Tittel & mer")
    published = publish("diagram", table, POLICY, chart="stacked")
    svg = str(render_chart(published))
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-labelledby" in svg
    assert "&lt;b&gt;A&lt;/b&gt;" in svg and "Tittel &amp; mer" in svg
    assert "style=" not in svg  # the CSP forbids inline styles
    bars = publish("bars", table, POLICY, chart="bars", share_axis=None)
    assert "<rect" in str(render_chart(bars))
    assert str(render_chart(publish("none", table, POLICY, chart="none"))) == ""


def test_hidden_symbol_is_colon() -> None:
    assert HIDDEN_SYMBOL == ":"


def test_forced_cells_are_protected_like_any_hidden_cell() -> None:
    from mestring.stats.suppression import suppress_table

    table = Table(["A", "B"], ["ja", "nei"], [[30, 12], [20, 30]])
    result = suppress_table(table, POLICY, forced=[(0, 2)])  # the row total of A
    assert result.row_totals[0].hidden
    # A lone hidden total would follow from the grand total and the other row: a complement is hidden too.
    assert len([p for p in result.hidden_positions if p[1] == 2]) >= 2
    with pytest.raises(ValueError, match="not in the table"):
        suppress_table(table, POLICY, forced=[(5, 5)])
    linked = suppress_linked(table, [table], POLICY, forced=[[(0, 0)], []])
    assert linked.parent.cell("A", "ja").hidden and linked.children[0].cell("A", "ja").hidden
    with pytest.raises(ValueError, match="one collection"):
        suppress_linked(table, [table], POLICY, forced=[[]])


def test_long_labels_wrap_and_every_bar_carries_the_full_label() -> None:
    long_label = "Har takket nei til individuell plan etter samtale med koordinator"
    table = Table([long_label, "Kort"], ["ja", "nei"], [[30, 12], [20, 30]], title="Kvalitet")
    for chart, share_axis in (("stacked", "row"), ("bars", None)):
        published = publish("lang", table, POLICY, chart=chart, share_axis=share_axis)  # type: ignore[arg-type]
        svg = str(render_chart(published))
        assert "…" not in svg  # nothing is cut
        spans = [span.split(">", 1)[1] for span in svg.split("<tspan")[1:]]
        lines = [span.split("</tspan>", 1)[0] for span in spans]
        assert " ".join(lines[:-1]) == long_label and lines[-1] == "Kort"
        assert all(len(line) <= 30 for line in lines)
        assert f"<title>{long_label}</title>" in svg  # the label itself
        assert svg.count(f"<title>{long_label}") >= 2  # and its bar(s)
    # The chart grows with the wrapped label: rows do not overlap.
    short = publish("kort", Table(["A", "B"], ["ja", "nei"], [[30, 12], [20, 30]]), POLICY)
    height = float(svg.split('viewBox="0 0 640 ')[1].split('"')[0])
    assert height > float(str(render_chart(short)).split('viewBox="0 0 640 ')[1].split('"')[0])


def test_one_value_column_has_no_total_column() -> None:
    table = Table(["A", "B"], ["Personer"], [[30], [20]], title="Personer")
    published = publish("en", table, POLICY, chart="bars", share_axis=None)
    grid = table_rows(published)
    assert grid == [["", "Personer"], ["A", "30"], ["B", "20"], ["I alt", "50"]]
    assert "I alt;50;50" not in render_csv([published]) and "I alt;50" in render_csv([published])
    # Two columns keep the total column.
    assert table_rows(publish("liten", small_table(), POLICY), with_shares=False)[0][-1] == "I alt"
