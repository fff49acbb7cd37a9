"""The mapping reports: every figure counted in SQL (a few GROUP BY queries), then suppressed in `stats`.

Three table types describe the same persons in every row (``Table(rows_overlap=True)``): the rating per area
(each person has one rating in every area), the services received and needed (each person is in one of the
four columns for every service) and the change from last year (better/unchanged/worse in every area). Their
column sums would count ratings or services, not persons, so they are not published, and each row is protected
on its own against its total n. The other tables have rows that are disjoint groups (red-area groups, age
groups, genders, years) and keep the full protection of rows and columns.

A scope is a municipality, a cooperation or the nation. Tables that are published together and nest are
suppressed together, the same way whichever page shows them:

* a municipality in a cooperation and the cooperation: every table type comes from one
  :func:`~mestring.stats.suppression.suppress_linked` run of the cooperation with all its members, so the
  municipality report and the cooperation report show the same figures for the same table;
* the municipality beside its KOSTRA group, county, health region and the nation (area table):
  :func:`~mestring.stats.tables.suppress_nested` hides in the municipality everything any pairing needs;
* the nation and the health regions (area table): one linked run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mestring.mapping.areas import AREA_CODES, AREAS, Rating
from mestring.mapping.catalog import AGE_GROUP_LABELS, MANY_RED, RED_GROUPS, SERVICE_CODES, SERVICES, Gender
from mestring.mapping.change import change_counts, change_table
from mestring.mapping.cube import AREA_MEASURES, MEASURES, ensure_fresh
from mestring.mapping.models import CubeState, MappingCube, MappingRound
from mestring.organisations import selectors
from mestring.organisations.models import Organisation
from mestring.stats import suppression
from mestring.stats.render import RATING_COLOURS
from mestring.stats.suppression import (
    Position,
    SuppressedTable,
    SuppressionPolicy,
    Table,
    suppress_linked,
    suppress_table,
)
from mestring.stats.tables import (
    Cube,
    NestedResult,
    Report,
    ReportSection,
    ReportTable,
    cube_of_sums,
    suppress_nested,
)

Kind = Organisation.Kind
ScopeKind = Literal["municipality", "cooperation", "national"]
Progress = Callable[[int, str], None]
YEARS_BACK = 2

MAIN_DIMS = ("year", "age_group", "gender", "red_count", "has_ip", "has_coordinator")
SERVICE_PARTS = ("both", "gap", "only")


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    label: str
    organisation: Organisation | None = None
    municipality_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        if self.kind == "national":
            return "nasjonalt"
        assert self.organisation is not None
        return self.organisation.kommunenummer or self.organisation.slug

    def params(self) -> dict[str, str]:
        if self.kind == "municipality":
            assert self.organisation is not None
            return {"kommune": self.organisation.kommunenummer}
        if self.kind == "cooperation":
            assert self.organisation is not None
            return {"samarbeid": self.organisation.slug}
        return {"nasjonalt": "1"}


def municipality_scope(municipality: Organisation) -> Scope:
    return Scope("municipality", municipality.name, municipality, frozenset({municipality.pk}))


def cooperation_scope(cooperation: Organisation) -> Scope:
    return Scope(
        "cooperation", cooperation.name, cooperation, frozenset(selectors.current_member_ids(cooperation))
    )


def national_scope() -> Scope:
    return Scope("national", _("Hele landet"))


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------


def rating_labels() -> list[str]:
    return [_("Grønn"), _("Gul"), _("Rød")]


def red_group_label(red_count: int) -> str:
    for low, high, label in RED_GROUPS:
        if low <= red_count <= high:
            return label
    return RED_GROUPS[-1][2]


# ---------------------------------------------------------------------------------------------
# Raw tables (before suppression) from a cube
# ---------------------------------------------------------------------------------------------


def raw_tables(
    data: Cube, *, year: int, where: Callable[[Mapping[str, Any]], bool] | None = None
) -> dict[str, Table]:
    """Every table type of the report, counted from the cube (restricted by `where`)."""
    keep = where or (lambda d: True)

    def this_year(d: Mapping[str, Any]) -> bool:
        return bool(d["year"] == year and keep(d))

    ratings = rating_labels()
    totals = data.totals(this_year)
    areas = Table(
        [str(label) for _code, label in AREAS],
        ratings,
        [[totals[f"{code}_{rating.value}"] for rating in Rating] for code in AREA_CODES],
        title=_("Vurdering per levekårsområde"),
        respondents=totals["n"],
        rows_overlap=True,
    )
    red_rows = [label for _l, _h, label in RED_GROUPS]
    red_counts = data.sum_by(lambda d: red_group_label(d["red_count"]) if this_year(d) else None)
    red = Table.one_way(
        {label: red_counts.get(label, 0) for label in red_rows},
        column=_("Personer"),
        title=_("Antall røde områder per person"),
    )
    many = _("%(n)s eller flere røde områder") % {"n": MANY_RED}
    few = _("0–%(n)s røde områder") % {"n": MANY_RED - 1}

    def many_of(d: Mapping[str, Any]) -> str | None:
        return (many if d["red_count"] >= MANY_RED else few) if this_year(d) else None

    has_ip, no_ip = _("Har individuell plan"), _("Har ikke individuell plan")
    ip = data.table(
        rows=[many, few],
        columns=[has_ip, no_ip],
        row_of=many_of,
        column_of=lambda d: has_ip if d["has_ip"] else no_ip,
        title=_("Mange røde områder og individuell plan"),
    )
    has_coordinator, no_coordinator = _("Har koordinator"), _("Har ikke koordinator")
    coordinator = data.table(
        rows=[many, few],
        columns=[has_coordinator, no_coordinator],
        row_of=many_of,
        column_of=lambda d: has_coordinator if d["has_coordinator"] else no_coordinator,
        title=_("Mange røde områder og koordinator"),
    )
    service_columns = [
        _("Mottar og trenger"),
        _("Trenger, men mottar ikke"),
        _("Mottar, men trenger ikke"),
        _("Verken mottar eller trenger"),
    ]
    service_counts = []
    for code in SERVICE_CODES:
        both, gap, only = (totals[f"svc_{code}_{part}"] for part in SERVICE_PARTS)
        service_counts.append([both, gap, only, totals["n"] - both - gap - only])
    services = Table(
        [str(label) for _code, label in SERVICES],
        service_columns,
        service_counts,
        title=_("Tjenester: mottar og trenger"),
        respondents=totals["n"],
        rows_overlap=True,
    )
    genders = [str(g.label) for g in Gender]
    gender_of = {g.value: str(g.label) for g in Gender}
    age_gender = data.table(
        rows=AGE_GROUP_LABELS,
        columns=genders,
        row_of=lambda d: d["age_group"] if this_year(d) else None,
        column_of=lambda d: gender_of.get(d["gender"]),
        title=_("Aldersgruppe og kjønn"),
    )
    age_red = data.table(
        rows=AGE_GROUP_LABELS,
        columns=red_rows,
        row_of=lambda d: d["age_group"] if this_year(d) else None,
        column_of=lambda d: red_group_label(d["red_count"]),
        title=_("Antall røde områder etter aldersgruppe"),
    )
    gender_red = data.table(
        rows=genders,
        columns=red_rows,
        row_of=lambda d: gender_of.get(d["gender"]) if this_year(d) else None,
        column_of=lambda d: red_group_label(d["red_count"]),
        title=_("Antall røde områder etter kjønn"),
    )
    years = [str(y) for y in range(year - YEARS_BACK, year + 1)]
    by_year = data.table(
        rows=years,
        columns=red_rows,
        row_of=lambda d: str(d["year"]) if keep(d) else None,
        column_of=lambda d: red_group_label(d["red_count"]),
        title=_("Antall røde områder per person, år for år"),
    )
    return {
        "omrader": areas,
        "rode": red,
        "ip": ip,
        "koordinator": coordinator,
        "tjenester": services,
        "alder_kjonn": age_gender,
        "alder_rode": age_red,
        "kjonn_rode": gender_red,
        "aar": by_year,
    }


TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    "omrader": {"chart": "stacked", "share_axis": "row", "colours": RATING_COLOURS},
    "rode": {"chart": "bars", "share_axis": "column"},
    "ip": {"chart": "stacked", "share_axis": "row"},
    "koordinator": {"chart": "stacked", "share_axis": "row"},
    "tjenester": {"chart": "stacked", "share_axis": "row"},
    "alder_kjonn": {"chart": "stacked", "share_axis": "row"},
    "alder_rode": {"chart": "stacked", "share_axis": "row"},
    "kjonn_rode": {"chart": "stacked", "share_axis": "row"},
    "aar": {"chart": "stacked", "share_axis": "row"},
    "endring": {"chart": "stacked", "share_axis": "row", "colours": ("#2f7d32", "#5a6470", "#c62828")},
}
ROW_HEADERS = {
    "omrader": "Område",
    "rode": "Røde områder",
    "ip": "",
    "koordinator": "",
    "tjenester": "Tjeneste",
    "alder_kjonn": "Alder",
    "alder_rode": "Alder",
    "kjonn_rode": "Kjønn",
    "aar": "År",
    "endring": "Område",
}


def _published(
    key: str, table: SuppressedTable, *, prefix: str = "", title: str | None = None
) -> ReportTable:
    return ReportTable(
        key=f"{prefix}{key}",
        title=title or table.title,
        table=table,
        row_header=_(ROW_HEADERS[key]) if ROW_HEADERS[key] else "",
        **TABLE_OPTIONS[key],
    )


# ---------------------------------------------------------------------------------------------
# Building a report
# ---------------------------------------------------------------------------------------------


def _main_cube(*, year: int, municipality_ids: frozenset[int] | None, by_municipality: bool) -> Cube:
    dims = ("municipality_id", *MAIN_DIMS) if by_municipality else MAIN_DIMS
    queryset = MappingCube.objects.filter(year__gte=year - YEARS_BACK, year__lte=year)
    if municipality_ids is not None:
        queryset = queryset.filter(municipality_id__in=municipality_ids)
    return cube_of_sums(queryset, dims, ["n", *MEASURES])


def _area_cube_by_municipality(*, year: int) -> Cube:
    return cube_of_sums(MappingCube.objects.filter(year=year), ["municipality_id"], ["n", *AREA_MEASURES])


def _area_table(data: Cube, ids: set[int] | None, title: str) -> Table:
    totals = data.totals(None if ids is None else (lambda d: d["municipality_id"] in ids))
    counts = [[totals[f"{code}_{rating.value}"] for rating in Rating] for code in AREA_CODES]
    return Table(
        [str(label) for _code, label in AREAS],
        rating_labels(),
        counts,
        title=title,
        respondents=sum(counts[0]),
        rows_overlap=True,
    )


def _frame_year(year: int) -> int | None:
    years = selectors.frame_years()
    earlier = [y for y in years if y <= year]
    return max(earlier) if earlier else (years[0] if years else None)


def _group_members(year: int, slug: str, kommunenummer: str) -> tuple[str, set[str]] | None:
    frame_year = _frame_year(year)
    if frame_year is None:
        return None
    assignments = selectors.group_assignments(frame_year, slug)
    label = assignments.get(kommunenummer)
    if label is None:
        return None
    return label, {knr for knr, group in assignments.items() if group == label}


def _ids_by_knr() -> dict[str, int]:
    return dict(Organisation.objects.filter(kind=Kind.MUNICIPALITY).values_list("kommunenummer", "pk"))


def margin_groups(key: str, table: Table, *, year: int) -> dict[tuple[str, str], list[Position]]:
    """Figures that several table types of one geography publish with the same value: the number of
    persons (n), persons per age group, per gender, per red-area group and with many/few red areas. A
    figure hidden in one table must be hidden in every table that shows it (see `_publish_consistent`)."""
    n_rows, n_columns = len(table.rows), len(table.columns)
    groups: dict[tuple[str, str], list[Position]] = {}

    def add(group: str, label: str, position: Position) -> None:
        groups.setdefault((group, label), []).append(position)

    grand = (n_rows, n_columns)
    if key in ("omrader", "tjenester"):
        for i in range(n_rows):
            add("n", "n", (i, n_columns))
        if table.rows_overlap:  # the grand total of overlapping rows is n, not a sum over rows
            add("n", "n", grand)
    elif key == "rode":
        for i, label in enumerate(table.rows):
            add("red", label, (i, 0))
            add("red", label, (i, 1))
        add("n", "n", (n_rows, 0))
        add("n", "n", grand)
    elif key in ("ip", "koordinator"):
        for i, label in enumerate(table.rows):
            add("many", label, (i, n_columns))
        add("n", "n", grand)
    elif key in ("alder_kjonn", "alder_rode", "kjonn_rode"):
        row_group = {"alder_kjonn": "age", "alder_rode": "age", "kjonn_rode": "gender"}[key]
        column_group = {"alder_kjonn": "gender", "alder_rode": "red", "kjonn_rode": "red"}[key]
        for i, label in enumerate(table.rows):
            add(row_group, label, (i, n_columns))
        for j, label in enumerate(table.columns):
            add(column_group, label, (n_rows, j))
        add("n", "n", grand)
    elif key == "aar" and str(year) in table.rows:
        i = table.rows.index(str(year))
        for j, label in enumerate(table.columns):
            add("red", label, (i, j))
        add("n", "n", (i, n_columns))
    return groups


Forced = list[dict[str, set[Position]]]


def _publish_consistent(
    geographies: Sequence[dict[str, Table]],
    policy: SuppressionPolicy,
    *,
    year: int,
    linked: bool,
    initial: Forced | None = None,
) -> list[dict[str, SuppressedTable]]:
    """Suppress every table type of one or more geographies (with `linked`: the first is the parent of the
    others), then hide in each geography every shared figure (`margin_groups`) that any of its tables hides,
    and repeat until nothing changes. ``initial``: figures to hide from the start (per geography, table)."""
    keys = list(geographies[0])
    forced: Forced = [
        {key: set(initial[g].get(key, set()) if initial else set()) for key in keys}
        for g in range(len(geographies))
    ]
    margins = [{key: margin_groups(key, geo[key], year=year) for key in keys} for geo in geographies]
    while True:
        result = _run(geographies, forced, policy, linked=linked)
        changed = False
        for g, geo_margins in enumerate(margins):
            hidden = {
                group
                for key, groups in geo_margins.items()
                for group, positions in groups.items()
                if any(result[g][key].figure(p).hidden for p in positions)
            }
            for key, groups in geo_margins.items():
                for group, positions in groups.items():
                    if group not in hidden:
                        continue
                    for position in positions:
                        if not result[g][key].figure(position).hidden and position not in forced[g][key]:
                            forced[g][key].add(position)
                            changed = True
        if not changed:
            return result


def _run(
    geographies: Sequence[dict[str, Table]], forced: Forced, policy: SuppressionPolicy, *, linked: bool
) -> list[dict[str, SuppressedTable]]:
    out: list[dict[str, SuppressedTable]] = [{} for _g in geographies]
    if not linked:
        for g, geo in enumerate(geographies):
            for key, table in geo.items():
                out[g][key] = suppress_table(table, policy, forced=forced[g][key])
        return out
    parent, children = geographies[0], geographies[1:]
    for key, table in parent.items():
        if len(children) <= suppression.MAX_LINKED_CHILDREN:
            run = suppress_linked(
                table,
                [child[key] for child in children],
                policy,
                forced=[forced[g][key] for g in range(len(geographies))],
            )
            out[0][key] = run.parent
            for index, suppressed in enumerate(run.children, start=1):
                out[index][key] = suppressed
            continue
        # More members than one linked run takes: protect the parent with each member, pair by pair, and
        # publish in the parent every figure any pairing hides.
        pairs = [
            suppress_linked(table, [child[key]], policy, forced=[forced[0][key], forced[index][key]])
            for index, child in enumerate(children, start=1)
        ]
        merged = pairs[0].parent
        for pair in pairs[1:]:
            merged = _union(merged, pair.parent)
        out[0][key] = merged
        for index, pair in enumerate(pairs, start=1):
            out[index][key] = pair.children[0]
    return out


def _member_orgs(cooperation: Organisation) -> list[Organisation]:
    ids = selectors.current_member_ids(cooperation)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def build_report(scope: Scope, *, year: int, progress: Progress | None = None) -> Report:
    """The whole report for a scope and year: every table suppressed and ready for any renderer."""
    policy = SuppressionPolicy.from_settings()
    step = progress or (lambda percent, message: None)
    step(5, _("Teller kartlegginger"))
    ensure_fresh(range(year - YEARS_BACK, year + 1))
    sections: list[ReportSection] = []
    comparison: list[ReportTable] = []
    if scope.kind == "national":
        data = _main_cube(year=year, municipality_ids=None, by_municipality=False)
        step(40, _("Teller per kommune"))
        tables = raw_tables(data, year=year)
        change = change_table(change_counts(year=year, municipality_ids=None))
        if change.n:
            tables["endring"] = change
        own = _publish_consistent([tables], policy, year=year, linked=False)[0]
        by_municipality = _area_cube_by_municipality(year=year)
        step(70, _("Skjermer tabeller"))
        region = _regions(by_municipality, year=year)
        if region:
            # The nation beside the health regions; the nation's area table keeps what the other national
            # tables hide in it.
            linked = suppress_linked(
                tables["omrader"],
                [t for _label, t in region],
                policy,
                forced=[own["omrader"].hidden_positions, *[() for _r in region]],
            )
            own["omrader"] = linked.parent
            for (label, _t), suppressed in zip(region, linked.children, strict=True):
                comparison.append(_published("omrader", suppressed, prefix=f"region-{label}-", title=label))
        n_total = data.total("n", lambda d: d["year"] == year)
    else:
        own, comparison, n_total = _local_tables(scope, year=year, policy=policy, step=step)
    step(85, _("Setter sammen rapporten"))
    main = [_published(key, table) for key, table in own.items()]
    by_key = {t.key: t for t in main}
    sections.append(
        ReportSection(
            _("Levekårsområdene"),
            (by_key["omrader"], by_key["rode"]),
            intro=_("Grønn: ingen eller små problemer. Gul: noen problemer. Rød: alvorlige problemer."),
        )
    )
    sections.append(ReportSection(_("Grupper med mange røde områder"), (by_key["ip"], by_key["koordinator"])))
    sections.append(ReportSection(_("Tjenester mottatt og behov"), (by_key["tjenester"],)))
    sections.append(
        ReportSection(
            _("Alder og kjønn"), (by_key["alder_kjonn"], by_key["alder_rode"], by_key["kjonn_rode"])
        )
    )
    over_years = (by_key["aar"], by_key["endring"]) if "endring" in by_key else (by_key["aar"],)
    sections.append(ReportSection(_("Utvikling over år"), over_years))
    if comparison:
        sections.append(
            ReportSection(
                _("Sammenligning"),
                tuple(comparison),
                intro=_(
                    "Vurdering per område her og i større grupper. Tall som kunne avsløre små grupper ved å "
                    "trekke en tabell fra en annen, er skjult i begge."
                ),
            )
        )
    open_rounds = _open_round_note(scope, year)
    facts = (
        (_("Omfang"), scope.label),
        (_("År"), str(year)),
        (_("Antall kartlagte"), str(_n_display(own["omrader"]))),
        (_("Laget"), timezone.localtime().strftime("%d.%m.%Y %H:%M")),
    )
    step(100, _("Ferdig"))
    del n_total
    return Report(
        title=_("Levekårskartlegging %(year)s – %(scope)s") % {"year": year, "scope": scope.label},
        subtitle=_("Sammenstilte og skjermede tall. Ingen opplysninger om enkeltpersoner."),
        sections=tuple(sections),
        facts=facts,
        notes=tuple(open_rounds),
        key=f"kartlegging-{scope.key}-{year}",
    )


def _n_display(table: SuppressedTable) -> str:
    return ":" if table.n is None else str(table.n)


def _open_round_note(scope: Scope, year: int) -> list[str]:
    rounds = MappingRound.objects.filter(year=year, status=MappingRound.Status.OPEN)
    if scope.kind != "national":
        rounds = rounds.filter(
            Q(organisation_id__in=scope.municipality_ids) | Q(organisation=scope.organisation)
        )
    if rounds.exists():
        return [
            _("Minst én kartleggingsrunde for %(year)s er ikke avsluttet; tallene er foreløpige.")
            % {"year": year}
        ]
    return []


def _regions(by_municipality: Cube, *, year: int) -> list[tuple[str, Table]]:
    frame_year = _frame_year(year)
    if frame_year is None:
        return []
    assignments = selectors.group_assignments(frame_year, "helseregion")
    ids = _ids_by_knr()
    groups: dict[str, set[int]] = {}
    for knr, label in assignments.items():
        if knr in ids:
            groups.setdefault(label, set()).add(ids[knr])
    return [
        (label, _area_table(by_municipality, members, _("Helseregion %(r)s") % {"r": label}))
        for label, members in sorted(groups.items())
    ]


def _local_tables(
    scope: Scope, *, year: int, policy: SuppressionPolicy, step: Progress
) -> tuple[dict[str, SuppressedTable], list[ReportTable], int]:
    """Tables of a municipality or a cooperation. With a cooperation, every table type of the cooperation and
    of all its members is suppressed in one linked run, so each member's figures are the same on the
    member's page and on the cooperation's page."""
    assert scope.organisation is not None
    organisation = scope.organisation
    if scope.kind == "cooperation":
        cooperation: Organisation | None = organisation
    else:
        cooperation = selectors.cooperations_of(organisation).order_by("pk").first()
    members = _member_orgs(cooperation) if cooperation is not None else [organisation]
    if cooperation is not None and scope.kind == "municipality" and organisation not in members:
        members.append(
            organisation
        )  # pragma: no cover - a municipality is a current member of its cooperation
    member_ids = frozenset(m.pk for m in members)
    data = _main_cube(year=year, municipality_ids=member_ids, by_municipality=True)
    by_municipality = _area_cube_by_municipality(year=year)
    step(25, _("Sammenligner med større grupper"))
    nested = {m.pk: _nested(m, by_municipality, year=year, policy=policy) for m in members}
    step(40, _("Skjermer tabeller"))
    counts = change_counts(year=year, municipality_ids=member_ids)
    if cooperation is not None:
        parent_raw = raw_tables(data, year=year, where=lambda d: d["municipality_id"] in member_ids)
        children_raw = [raw_tables(data, year=year, where=_only(m.pk)) for m in members]
        change = change_table(counts, member_ids)
        if change.n:
            parent_raw["endring"] = change
            for member, member_raw in zip(members, children_raw, strict=True):
                member_raw["endring"] = change_table(counts, [member.pk])
        initial: Forced = [{}] + [{"omrader": set(nested[m.pk][0].child.hidden_positions)} for m in members]
        published = _publish_consistent(
            [parent_raw, *children_raw], policy, year=year, linked=True, initial=initial
        )
        parent, children = published[0], published[1:]
    else:
        parent_raw = raw_tables(data, year=year)
        change = change_table(counts)
        if change.n:
            parent_raw["endring"] = change
        initial = [{"omrader": set(nested[organisation.pk][0].child.hidden_positions)}]
        parent = _publish_consistent([parent_raw], policy, year=year, linked=False, initial=initial)[0]
        children = [parent]
    n_total = data.total("n", lambda d: d["year"] == year)
    comparison: list[ReportTable] = []
    if scope.kind == "cooperation":
        for member, tables in zip(members, children, strict=True):
            comparison.append(
                _published("omrader", tables["omrader"], prefix=f"{member.kommunenummer}-", title=member.name)
            )
        return parent, comparison, n_total
    own = children[members.index(organisation)]
    knr = organisation.kommunenummer
    comparison.append(_published("omrader", own["omrader"], prefix=f"{knr}-", title=organisation.name))
    if cooperation is not None:
        comparison.append(
            _published("omrader", parent["omrader"], prefix="samarbeid-", title=cooperation.name)
        )
    result, parent_titles = nested[organisation.pk]
    for (slug, title), suppressed in zip(parent_titles, result.parents, strict=True):
        comparison.append(_published("omrader", suppressed, prefix=f"{slug}-", title=title))
    return own, comparison, n_total


def _only(municipality_id: int) -> Callable[[Mapping[str, Any]], bool]:
    def where(dims: Mapping[str, Any]) -> bool:
        return bool(dims["municipality_id"] == municipality_id)

    return where


def _nested(
    municipality: Organisation, by_municipality: Cube, *, year: int, policy: SuppressionPolicy
) -> tuple[NestedResult, list[tuple[str, str]]]:
    """A municipality's area table protected against its KOSTRA group, county, region and the nation."""
    ids = _ids_by_knr()
    knr = municipality.kommunenummer
    child = _area_table(by_municipality, {municipality.pk}, municipality.name)
    parents: list[tuple[str, Table]] = []
    for slug, name in (
        ("kostragruppe", _("KOSTRA-gruppe")),
        ("fylke", _("Fylke")),
        ("helseregion", _("Helseregion")),
    ):
        group = _group_members(year, slug, knr)
        if group is None:
            continue
        label, knrs = group
        title = f"{name} {label}" if slug != "fylke" else label
        parents.append((slug, _area_table(by_municipality, {ids[k] for k in knrs if k in ids}, title)))
    parents.append(("nasjonalt", _area_table(by_municipality, None, _("Hele landet"))))
    result = suppress_nested(child, [table for _slug, table in parents], policy)
    return result, [(slug, table.title) for slug, table in parents]


def _union(first: SuppressedTable, second: SuppressedTable) -> SuppressedTable:
    """The same table with every figure hidden that either version hides (notes of both)."""
    return suppression.union_of([first, second])


def report_cache_key(scope: Scope, *, year: int) -> str:
    """The cache key of a report: the data's state (the cube build of each year the report reads, refreshed
    first), the scope's members, the suppression policy and the language."""
    from django.utils.translation import get_language

    years = range(year - YEARS_BACK, year + 1)
    ensure_fresh(years)
    built = ",".join(
        f"{y}@{stamp.timestamp()}"
        for y, stamp in CubeState.objects.filter(year__in=list(years))
        .order_by("year")
        .values_list("year", "built_at")
    )
    policy = SuppressionPolicy.from_settings()
    members = ",".join(str(pk) for pk in sorted(scope.municipality_ids))
    return (
        f"mapping-report:{scope.kind}:{scope.key}:{year}:{built}:{members}:"
        f"{policy.k}:{policy.min_group_size}:{policy.secondary}:{get_language()}"
    )


def peek_report(scope: Scope, *, year: int) -> tuple[str, Report | None]:
    """The cache key and the cached report, if this process has it (nothing is built)."""
    from django.core.cache import cache

    key = report_cache_key(scope, year=year)
    return key, cache.get(key)


def cached_report(scope: Scope, *, year: int, progress: Progress | None = None) -> Report:
    """`build_report` behind the cache (see `report_cache_key`). Linked suppression of a cooperation with
    many members takes seconds; the tables only change when mappings arrive."""
    from django.core.cache import cache

    key, report = peek_report(scope, year=year)
    if report is None:
        report = build_report(scope, year=year, progress=progress)
        cache.set(key, report, timeout=600)
    elif progress is not None:
        progress(100, _("Ferdig"))
    return report
