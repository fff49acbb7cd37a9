"""Benchmark of the national mapping report (a script, not a test; nothing asserts on time).

For 10k, 100k and 1M synthetic assessment rows on PostgreSQL it builds the national report (every table,
suppressed) and prints:

* report time vs one bare SQL ``GROUP BY`` over the same rows (goal ≤ 2×). The report reads the
  pre-aggregated ``MappingCube``; its refresh (one ``INSERT … SELECT … GROUP BY`` per changed year, run once
  after entries change, not per report) is printed separately;
* report time vs loading the rows into pandas and grouping there (goal: the report at least 5× faster);
* growth from 100k to 1M rows (goal: linear, ≤ 10×, or better);
* peak Python memory while building the report (tracemalloc) and the process's max RSS.

Rows are written with COPY inside one transaction that is rolled back at the end, so the database is left
as it was. Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mestring .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mestring .venv/bin/python bench/mapping_report.py

``--sizes 10000,100000`` picks other sizes; ``--allow-sqlite`` runs on SQLite (slow inserts, for a try-out).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from mestring.core.world import build_world  # noqa: E402
from mestring.mapping.areas import AREA_CODES  # noqa: E402
from mestring.mapping.catalog import SERVICE_CODES  # noqa: E402
from mestring.mapping.cube import ensure_fresh  # noqa: E402
from mestring.mapping.demo import synthetic_values  # noqa: E402
from mestring.mapping.models import MappingEntry, MappingRound  # noqa: E402
from mestring.mapping.reports import build_report, national_scope  # noqa: E402
from mestring.organisations.models import Organisation  # noqa: E402

MAX_ROWS = 2_000_000
TEMPLATE_ROWS = 20_000
COLUMNS = [
    "round_id",
    "municipality_id",
    "year",
    "assessed_on",
    "source",
    "birth_year",
    "gender",
    "age_group",
    *AREA_CODES,
    "red_count",
    *[f"{kind}_{code}" for code in SERVICE_CODES for kind in ("received", "needed")],
    "has_ip",
    "has_coordinator",
    "lar",
    "has_minor_children",
    "phase",
    "created_at",
]


class Rollback(Exception):
    pass


def timed(function: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def insert_rows(year: int, count: int, municipalities: list[Organisation]) -> None:
    rng = random.Random(f"bench-{year}")
    templates = [synthetic_values(rng, year) for _ in range(min(TEMPLATE_ROWS, count))]
    rounds = {
        m.pk: MappingRound.objects.create(
            organisation=m,
            year=year,
            starts_on=datetime(year, 1, 1).date(),
            ends_on=datetime(year, 12, 31).date(),
        ).pk
        for m in municipalities
    }
    ids = [m.pk for m in municipalities]
    now = datetime.now(UTC)

    def row(index: int) -> list[Any]:
        values = templates[index % len(templates)]
        municipality_id = ids[rng.randrange(len(ids))]
        return [
            rounds[municipality_id],
            municipality_id,
            year,
            values["assessed_on"],
            "demo",
            *(values[c] for c in COLUMNS[5:-1]),
            now,
        ]

    if connection.vendor == "postgresql":
        table = MappingEntry._meta.db_table
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for index in range(count):
                    copy.write_row(row(index))
            cursor.execute(f"ANALYZE {table}")
    else:
        batch = [MappingEntry(**dict(zip(COLUMNS, row(i), strict=True))) for i in range(count)]
        MappingEntry.objects.bulk_create(batch, batch_size=5000)


def bare_group_by(year: int) -> None:
    table = MappingEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT bolig, COUNT(*) FROM {table} WHERE year = %s GROUP BY bolig", [year])
        cursor.fetchall()


def pandas_report(year: int) -> None:
    """The same figures the hard way: load the rows, then group in pandas."""
    import pandas as pd

    table = MappingEntry._meta.db_table
    columns = [
        "municipality_id",
        "year",
        "age_group",
        "gender",
        "red_count",
        "has_ip",
        "has_coordinator",
        *AREA_CODES,
        *[c for c in COLUMNS if c.startswith(("received_", "needed_"))],
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE year BETWEEN %s AND %s",
            [year - 2, year],
        )
        frame = pd.DataFrame(cursor.fetchall(), columns=columns)
    this_year = frame[frame["year"] == year]
    for code in AREA_CODES:
        this_year[code].value_counts()
    this_year.groupby(["age_group", "gender"]).size()
    this_year.groupby(["red_count", "has_ip"]).size()
    this_year.groupby(["red_count", "has_coordinator"]).size()
    for code in SERVICE_CODES:
        this_year.groupby([f"received_{code}", f"needed_{code}"]).size()
    frame.groupby(["year", "red_count"]).size()
    frame.groupby("municipality_id")[AREA_CODES[0]].value_counts()


def _report_runner(year: int) -> Callable[[], Any]:
    return lambda: build_report(national_scope(), year=year)


def _sql_runner(year: int) -> Callable[[], Any]:
    return lambda: bare_group_by(year)


def _pandas_runner(year: int) -> Callable[[], Any]:
    return lambda: pandas_report(year)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--allow-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if any(s <= 0 or s > MAX_ROWS for s in sizes):
        parser.error(f"sizes must be between 1 and {MAX_ROWS}")
    if connection.vendor != "postgresql" and not args.allow_sqlite:
        parser.error("set DATABASE_URL to a PostgreSQL database (or pass --allow-sqlite for a try-out)")
    print(f"database: {connection.vendor}; sizes: {sizes}")
    results: dict[int, dict[str, float]] = {}
    try:
        with transaction.atomic():
            build_world()
            municipalities = list(Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY))
            for index, size in enumerate(sizes):
                year = 2080 + 5 * index  # years far apart: a report reads its year and the two before
                start = time.perf_counter()
                insert_rows(year, size, municipalities)
                insert_seconds = time.perf_counter() - start
                scope = national_scope()
                start = time.perf_counter()
                ensure_fresh(range(year - 2, year + 1))
                refresh_seconds = time.perf_counter() - start
                build_report(scope, year=year)  # warm up caches (frame, translations)
                report_seconds = timed(_report_runner(year), args.repeat)
                sql_seconds = timed(_sql_runner(year), args.repeat)
                pandas_seconds = timed(_pandas_runner(year), max(1, args.repeat - 1))
                tracemalloc.start()
                build_report(scope, year=year)
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                results[size] = {"report": report_seconds, "sql": sql_seconds, "pandas": pandas_seconds}
                print(
                    f"{size:>9,} rows: insert {insert_seconds:6.2f} s | "
                    f"cube refresh {refresh_seconds * 1000:7.1f} ms | "
                    f"report {report_seconds * 1000:8.1f} ms | "
                    f"bare GROUP BY {sql_seconds * 1000:8.1f} ms | pandas {pandas_seconds * 1000:9.1f} ms | "
                    f"report/SQL {report_seconds / sql_seconds:5.2f}× (goal ≤ 2) | "
                    f"pandas/report {pandas_seconds / report_seconds:6.1f}× (goal ≥ 5) | "
                    f"peak Python memory {peak / 1e6:6.1f} MB"
                )
            raise Rollback
    except Rollback:
        pass
    if 100_000 in results and 1_000_000 in results:
        growth = results[1_000_000]["report"] / results[100_000]["report"]
        print(f"growth 100k → 1M: {growth:.2f}× (goal: ≤ 10×, linear or better)")
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process (includes pandas): {max_rss:.0f} MB")
    print("rows were written in a transaction that has been rolled back")


if __name__ == "__main__":
    main()
