"""The reports' pre-aggregated table (`MappingCube`): one GROUP BY per year, rebuilt when entries change.

New entries get a higher id, so the newest entry id tells whether a year's cube has every new entry:
`ensure_fresh(years)` compares it with what each year was built from and rebuilds stale years with one
``INSERT … SELECT … GROUP BY``. A correction or deletion (`services.entry_update`, `services.entry_delete`)
calls `invalidate([year])` in its own transaction, which marks the year stale (-1). A rebuild gives the year
a new `CubeState.built_at`, which is part of the report cache key, so cached reports and the stored HTML of
background-built reports are not reused after a change. The reports read a few thousand cube rows instead
of every entry.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Q

from mestring.mapping.areas import AREA_CODES, Rating
from mestring.mapping.catalog import SERVICE_CODES
from mestring.mapping.models import CubeState, MappingCube, MappingEntry

DIMENSIONS = ["municipality_id", "year", "age_group", "gender", "red_count", "has_ip", "has_coordinator"]


def measures() -> dict[str, Q]:
    """Cube column → the entries it counts."""
    result: dict[str, Q] = {}
    for code in AREA_CODES:
        for rating in Rating:
            result[f"{code}_{rating.value}"] = Q(**{code: rating.value})
    for code in SERVICE_CODES:
        received, needed = Q(**{f"received_{code}": True}), Q(**{f"needed_{code}": True})
        result[f"svc_{code}_both"] = received & needed
        result[f"svc_{code}_gap"] = needed & ~received
        result[f"svc_{code}_only"] = received & ~needed
    return result


MEASURES = measures()
AREA_MEASURES = [f"{code}_{rating.value}" for code in AREA_CODES for rating in Rating]


def newest_entry_id() -> int:
    return MappingEntry.objects.aggregate(last=Max("pk"))["last"] or 0


@transaction.atomic
def rebuild_year(year: int, *, newest: int | None = None) -> None:
    """Replace the cube rows of one year with a fresh GROUP BY over its entries (one statement)."""
    newest = newest_entry_id() if newest is None else newest
    state, _created = CubeState.objects.select_for_update().get_or_create(year=year)
    MappingCube.objects.filter(year=year).delete()
    annotations = {"n": Count("pk"), **{name: Count("pk", filter=q) for name, q in MEASURES.items()}}
    select = (
        MappingEntry.objects.filter(year=year, pk__lte=newest)
        .order_by()
        .values(*DIMENSIONS)
        .annotate(**annotations)
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(MappingCube._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in [*DIMENSIONS, *annotations])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
    state.built_max_id = newest
    state.save(update_fields=["built_max_id", "built_at"])


def ensure_fresh(years: Iterable[int]) -> list[int]:
    """Rebuild the cube of every year whose entries changed since it was built. Returns the rebuilt years."""
    newest = newest_entry_id()
    wanted = sorted(set(years))
    built = dict(CubeState.objects.filter(year__in=wanted).values_list("year", "built_max_id"))
    stale = [year for year in wanted if built.get(year, -1) != newest]
    for year in stale:
        rebuild_year(year, newest=newest)
    return stale


def invalidate(years: Iterable[int]) -> None:
    """Mark years as changed (after an update or delete of entries); the next report rebuilds them."""
    CubeState.objects.filter(year__in=list(years)).update(built_max_id=-1)
