"""Report numbers against hand-computed fixtures, suppression in reports, and linked publishing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from mestring.mapping.reports import build_report, cooperation_scope, municipality_scope, national_scope
from mestring.mapping.tests.fixtures import add_entries, ensure_cooperation_round, ensure_round, municipality
from mestring.stats.render import table_rows
from mestring.stats.suppression import SuppressionPolicy

pytestmark = pytest.mark.django_db
YEAR = 2025


def suldal_fixture() -> None:
    """36 persons in Suldal (no cooperation), hand-counted below."""
    mapping_round = ensure_round("1134", YEAR)
    # 20 all green women aged 35–44 without IP.
    add_entries(mapping_round, 20, gender="k", age_group="35–44")
    # 10 men aged 25–34 with 3 red areas, needing housing help they do not get.
    add_entries(
        mapping_round,
        10,
        gender="m",
        age_group="25–34",
        bolig="rod",
        psykisk_helse="rod",
        rusmiddelbruk="rod",
        needed_botilbud=True,
    )
    # 6 men aged 45–54 with 5 red areas, an IP, and housing help they need and get.
    add_entries(
        mapping_round,
        6,
        gender="m",
        age_group="45–54",
        bolig="rod",
        okonomi="rod",
        psykisk_helse="rod",
        rusmiddelbruk="rod",
        sosialt_nettverk="rod",
        has_ip=True,
        has_coordinator=True,
        needed_botilbud=True,
        received_botilbud=True,
    )


def grid(report, key):  # type: ignore[no-untyped-def]
    return table_rows(report.table(key), with_shares=False)


def test_report_numbers_match_hand_computed_tables(world) -> None:  # type: ignore[no-untyped-def]
    suldal_fixture()
    report = build_report(municipality_scope(municipality("1134")), year=YEAR)
    areas = grid(report, "omrader")
    assert areas[0] == ["Område", "Grønn", "Gul", "Rød", "I alt"]
    assert areas[1] == ["Bolig", "20", "0", "16", "36"]
    assert areas[2] == ["Meningsfull aktivitet", "36", "0", "0", "36"]
    assert areas[3] == ["Økonomi", "30", "0", "6", "36"]
    assert areas[5] == ["Psykisk helse", "20", "0", "16", "36"]
    assert areas[8] == ["Sosialt nettverk", "30", "0", "6", "36"]
    # Every area row is all 36 persons (one rating each), so the rows overlap: the column sums (228 green
    # ratings of 288) count ratings, not persons, and are no longer published (this used to be an "I alt"
    # row, and its grand total 288 = 8 × n even gave a hidden n away).
    assert len(areas) == 9 and report.table("omrader").table.rows_overlap
    assert report.table("omrader").n == 36
    shares = report.table("omrader").shares
    assert shares is not None and shares.cells[0] == (55.6, 0.0, 44.4)
    # One value column ("Personer"): no "I alt" column repeating it.
    assert grid(report, "rode")[0][-1] != "I alt"
    assert grid(report, "rode")[1:5] == [["0", "20"], ["1–2", "0"], ["3–4", "10"], ["5–8", "6"]]
    assert grid(report, "ip")[1:] == [
        ["3 eller flere røde områder", "6", "10", "16"],
        ["0–2 røde områder", "0", "20", "20"],
        ["I alt", "6", "30", "36"],
    ]
    assert grid(report, "tjenester")[1] == ["Bolig og oppfølging i bolig", "6", "10", "0", "20", "36"]
    age_gender = grid(report, "alder_kjonn")
    assert age_gender[2] == ["25–34", "0", "10", "10"]
    assert age_gender[3] == ["35–44", "20", "0", "20"]
    assert age_gender[4] == ["45–54", "0", "6", "6"]
    assert grid(report, "aar")[1:4] == [
        ["2023", "0", "0", "0", "0", "0"],
        ["2024", "0", "0", "0", "0", "0"],
        ["2025", "20", "0", "10", "6", "36"],
    ]
    # Comparison: Suldal beside KOSTRA group, county, region and nation (here they hold only Suldal).
    keys = [t.key for t in report.tables()]
    assert {
        "1134-omrader",
        "kostragruppe-omrader",
        "fylke-omrader",
        "helseregion-omrader",
        "nasjonalt-omrader",
    } <= set(keys)


def test_small_cells_are_suppressed_in_reports(world) -> None:  # type: ignore[no-untyped-def]
    suldal_fixture()
    # 3 persons aged 67+ (women) – a primary cell, with its complements.
    add_entries(ensure_round("1134", YEAR), 3, gender="k", age_group="67+")
    report = build_report(municipality_scope(municipality("1134")), year=YEAR)
    rows = {line[0]: line[1:] for line in grid(report, "alder_kjonn")}
    assert rows["67+"][0] == ":" and rows["67+"][2] == ":"
    # The 3 cannot be recovered from the shown totals: the women column total is hidden too or another
    # women cell is hidden.
    women_hidden = sum(1 for label, values in rows.items() if values[0] == ":" and label != "I alt")
    assert women_hidden >= 2 or rows["I alt"][0] == ":"
    notes = report.table("alder_kjonn").notes
    assert any("mellom 1 og 4" in note for note in notes)
    assert any("«:»" in note for note in notes)


def test_cooperation_and_member_reports_agree_and_cannot_be_subtracted(world) -> None:  # type: ignore[no-untyped-def]
    """Differencing: Setesdal with Evje (12) and Valle (3 with red housing). Cooperation − Evje would give
    Valle's 3; the published cells never differ by 1..k-1, and both pages show the same Evje figures."""
    mapping_round = ensure_cooperation_round("setesdal", YEAR)
    add_entries(mapping_round, 12, knr="4219")
    add_entries(mapping_round, 3, knr="4221", bolig="rod")
    policy = SuppressionPolicy.from_settings()
    cooperation_report = build_report(cooperation_scope(world.org("setesdal")), year=YEAR)
    evje_report = build_report(municipality_scope(municipality("4219")), year=YEAR)
    cooperation = cooperation_report.table("omrader").table
    evje = evje_report.table("omrader").table
    for position in cooperation.positions():
        parent, child = cooperation.figure(position).value, evje.figure(position).value
        if parent is not None and child is not None:
            assert not policy.is_sensitive(parent - child), position
    assert cooperation.cell("Bolig", "Rød").value is None  # Valle's 3 red are not shown
    # The Evje table in the cooperation's comparison is the one on Evje's own page.
    in_cooperation = cooperation_report.table("4219-omrader").table
    for position in evje.positions():
        if in_cooperation.figure(position).hidden:
            assert evje.figure(position).hidden
    # Every table type is linked, not only the area table.
    for key in ("rode", "alder_kjonn", "aar"):
        parent_table = cooperation_report.table(key).table
        child_table = evje_report.table(key).table
        for position in parent_table.positions():
            p, c = parent_table.figure(position).value, child_table.figure(position).value
            if p is not None and c is not None:
                assert not policy.is_sensitive(p - c), (key, position)


def test_national_report_links_regions(world) -> None:  # type: ignore[no-untyped-def]
    suldal_fixture()
    add_entries(ensure_round("0301", YEAR), 40, gender="m")
    report = build_report(national_scope(), year=YEAR)
    assert report.table("omrader").n == 76
    keys = {t.key for t in report.tables()}
    assert "region-Vest-omrader" in keys and "region-Sør-Øst-omrader" in keys


def test_mapping_report_command_prints_the_page_tables(world) -> None:  # type: ignore[no-untyped-def]
    suldal_fixture()
    out = io.StringIO()
    call_command(
        "mapping_report", "--municipality", "1134", "--year", str(YEAR), "--format", "md", stdout=out
    )
    text = out.getvalue()
    assert "| Bolig | 20 | 55,6 | 0 | 0,0 | 16 | 44,4 | 36 |" in text
    out = io.StringIO()
    call_command("mapping_report", "--national", "--year", str(YEAR), "--format", "csv", stdout=out)
    assert "Bolig;20;55,6;0;0,0;16;44,4;36" in out.getvalue()
    out = io.StringIO()
    call_command(
        "mapping_report", "--cooperation", "setesdal", "--year", str(YEAR), "--format", "md", stdout=out
    )
    assert "Setesdal" in out.getvalue()


def test_cooperation_larger_than_one_linked_run_is_protected_pairwise(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mestring.stats import suppression

    monkeypatch.setattr(suppression, "MAX_LINKED_CHILDREN", 1)
    mapping_round = ensure_cooperation_round("setesdal", YEAR)
    add_entries(mapping_round, 12, knr="4219")
    add_entries(mapping_round, 3, knr="4221", bolig="rod")
    policy = SuppressionPolicy.from_settings()
    report = build_report(cooperation_scope(world.org("setesdal")), year=YEAR)
    parent = report.table("omrader").table
    for knr in ("4219", "4221"):
        child = report.table(f"{knr}-omrader").table
        for position in parent.positions():
            p, c = parent.figure(position).value, child.figure(position).value
            if p is not None and c is not None:
                assert not policy.is_sensitive(p - c), (knr, position)


def test_change_for_the_same_person_from_last_year(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from mestring.mapping.models import MappingEntry
    from mestring.mapping.tests.fixtures import entry_values
    from mestring.people.tests.fixtures import make_person

    persons = {
        n: make_person(world, unit_slug="suldal-fact-light", team=(), first_name=f"P{n}")
        for n in range(1, 19)
    }

    def entry(year: int, person: int, day: int = 1, **values: str) -> MappingEntry:
        mapping_round = ensure_round("1134", year)
        return MappingEntry(
            round=mapping_round,
            municipality=mapping_round.organisation,
            year=year,
            person=persons[person],
            **entry_values(year, assessed_on=date(year, 6, day), **values),
        )

    rows = []
    for person in range(1, 7):  # housing got better
        rows += [entry(YEAR - 1, person, bolig="rod"), entry(YEAR, person, day=20, bolig="gronn")]
    rows.append(entry(YEAR, 1, day=2, bolig="rod"))  # an earlier entry the same year does not count
    for person in range(7, 13):  # unchanged
        rows += [entry(YEAR - 1, person), entry(YEAR, person)]
    for person in range(13, 18):  # worse
        rows += [entry(YEAR - 1, person, bolig="gul"), entry(YEAR, person, bolig="rod")]
    rows.append(entry(YEAR, 18))  # no entry last year: not counted
    MappingEntry.objects.bulk_create(rows)
    report = build_report(municipality_scope(municipality("1134")), year=YEAR)
    change = grid(report, "endring")
    assert change[0] == ["Område", "Bedre", "Uendret", "Verre", "I alt"]
    assert change[1] == ["Bolig", "6", "6", "5", "17"]
    assert change[2] == ["Meningsfull aktivitet", "0", "17", "0", "17"]
    assert report.table("endring").n == 17
    # Without person-linked entries the table is left out.
    assert "endring" not in {
        t.key for t in build_report(municipality_scope(municipality("4222")), year=YEAR).tables()
    }


def test_shared_figures_are_hidden_in_every_table_that_shows_them(world) -> None:  # type: ignore[no-untyped-def]
    """A total hidden as a complement in one table (e.g. persons aged 55–66 in "age × gender") may not be
    shown in another ("age × red areas"): every margin group is hidden everywhere or nowhere."""
    import random

    from mestring.mapping.demo import synthetic_values
    from mestring.mapping.models import MappingEntry
    from mestring.mapping.reports import margin_groups

    mapping_round = ensure_cooperation_round("setesdal", YEAR)
    rng = random.Random("margins")
    rows = []
    for knr, count in (("4219", 40), ("4221", 14), ("4220", 9), ("4222", 6)):
        target = municipality(knr)
        for _i in range(count):
            values = synthetic_values(rng, YEAR)
            rows.append(MappingEntry(round=mapping_round, municipality=target, year=YEAR, **values))
    MappingEntry.objects.bulk_create(rows)
    reports = [
        build_report(cooperation_scope(world.org("setesdal")), year=YEAR),
        build_report(municipality_scope(municipality("4219")), year=YEAR),
        build_report(municipality_scope(municipality("4221")), year=YEAR),
    ]
    keys = [
        "omrader",
        "rode",
        "ip",
        "koordinator",
        "tjenester",
        "alder_kjonn",
        "alder_rode",
        "kjonn_rode",
        "aar",
    ]
    for report in reports:
        states: dict[tuple[str, str], set[bool]] = {}
        for key in keys:
            table = report.table(key).table
            for group, positions in margin_groups(key, table_shape(table), year=YEAR).items():
                states.setdefault(group, set()).update(table.figure(p).hidden for p in positions)
        mixed = {group for group, hidden in states.items() if len(hidden) > 1}
        assert not mixed, (report.title, mixed)
    # The Evje tables are the same on Evje's page and in the cooperation's linked run.
    evje = reports[1]
    in_cooperation = reports[0].table("4219-omrader").table
    assert evje.table("omrader").table.hidden_positions == in_cooperation.hidden_positions


def table_shape(published):  # type: ignore[no-untyped-def]
    """A Table with the published table's labels (margin_groups only reads the shape)."""
    from mestring.stats.suppression import Table

    rows = [[0] * len(published.columns) for _r in published.rows]
    return Table(published.rows, published.columns, rows, rows_overlap=published.rows_overlap)


def test_services_table_protects_each_row_and_hides_fewer_cells_than_before(world) -> None:  # type: ignore[no-untyped-def]
    """Every service row splits the same persons (receives and needs / needs only / receives only /
    neither), so the rows overlap: each row is protected against its total n and the column sums (services
    added across persons) are not published. A mid-sized municipality from the demo generator, where a few
    services have a small cell: protecting published column sums as well (the old way) hid more."""
    import random

    from mestring.mapping.catalog import SERVICE_CODES
    from mestring.mapping.demo import synthetic_values
    from mestring.mapping.models import MappingEntry
    from mestring.stats.suppression import Table, suppress_table

    mapping_round = ensure_round("1134", YEAR)
    rng = random.Random("tjenester-1")
    persons = [synthetic_values(rng, YEAR) for _i in range(100)]
    MappingEntry.objects.bulk_create(
        MappingEntry(round=mapping_round, municipality=mapping_round.organisation, year=YEAR, **values)
        for values in persons
    )
    counts = []
    for code in SERVICE_CODES:
        both = sum(p[f"needed_{code}"] and p[f"received_{code}"] for p in persons)
        gap = sum(p[f"needed_{code}"] and not p[f"received_{code}"] for p in persons)
        only = sum(p[f"received_{code}"] and not p[f"needed_{code}"] for p in persons)
        counts.append([both, gap, only, len(persons) - both - gap - only])
    policy = SuppressionPolicy.from_settings()

    report = build_report(municipality_scope(municipality("1134")), year=YEAR)
    published = report.table("tjenester").table

    assert published.rows_overlap and published.n == 100
    assert len(grid(report, "tjenester")) == 1 + len(SERVICE_CODES)  # no total row
    for i, row in enumerate(counts):
        assert published.row_totals[i].value == 100
        cells = published.cells[i]
        for cell, value in zip(cells, row, strict=True):
            assert cell.value in (None, value)
            if policy.is_sensitive(value):
                assert cell.hidden
        # No hidden cell follows from the row total and the shown cells, nor do the hidden ones add up to
        # a small count.
        hidden = [value for cell, value in zip(cells, row, strict=True) if cell.hidden]
        assert len(hidden) != 1
        assert not policy.is_sensitive(sum(hidden))
    old_way = suppress_table(Table(published.rows, published.columns, counts), policy)
    hidden_now = sum(cell.hidden for line in published.cells for cell in line)
    hidden_before = sum(cell.hidden for line in old_way.cells for cell in line)
    assert any(policy.is_sensitive(value) for row in counts for value in row)  # the fixture has small cells
    assert 0 < hidden_now < hidden_before
    # The API, the exports and the chart read the same suppressed figures, and none prints a column sum.
    from mestring.stats.render import render_chart, render_csv, report_to_dict

    data = next(
        t
        for section in report_to_dict(report)["sections"]
        for t in section["tables"]
        if t["key"] == "tjenester"
    )
    assert data["rows_overlap"] is True and data["column_totals"] == [None] * 4
    assert [row["counts"] for row in data["rows"]] == [
        [cell.value for cell in line] for line in published.cells
    ]
    exported = render_csv([report.table("tjenester")])
    assert "\nI alt;" not in exported and ";:;" in exported
    assert "ikke vist" in render_chart(report.table("tjenester"))


def test_a_municipality_with_five_to_nine_mapped_persons_shows_its_n(world) -> None:  # type: ignore[no-untyped-def]
    # Lead decision (2026-11): in the tables of overlapping rows a group below the minimum group size (10)
    # hides its cells but shows n when n >= k; it used to show ":" for n in every table.
    add_entries(ensure_round("4222", YEAR), 7, bolig="rod")
    report = build_report(municipality_scope(municipality("4222")), year=YEAR)
    for key in ("omrader", "tjenester"):
        table = report.table(key)
        assert table.table.rows_overlap and table.n == 7, key
        assert all(cell.hidden for row in table.table.cells for cell in row), key
        assert {cell.value for cell in table.table.row_totals} == {7}, key
    assert table_rows(report.table("omrader"), with_shares=False)[1] == ["Bolig", ":", ":", ":", "7"]
