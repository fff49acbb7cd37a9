"""Change from last year for the same person: only for person-linked entries (the mapping cannot follow an
anonymous person). Counted in SQL: each person's latest entry this year beside their latest entry last year.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from mestring.mapping.areas import AREA_CODES, AREAS
from mestring.mapping.models import MappingEntry
from mestring.stats.suppression import Table

KINDS = ("better", "same", "worse")


def change_columns() -> list[str]:
    return [_("Bedre"), _("Uendret"), _("Verre")]


def change_counts(*, year: int, municipality_ids: Iterable[int] | None) -> dict[int, dict[str, int]]:
    """municipality id → {"n": persons, "<area>_better|same|worse": count}, in one query.

    Ratings sort by severity as text (gronn < gul < rod), so "better" is simply this year < last year.
    """
    latest = MappingEntry.objects.filter(person_id=OuterRef("person_id")).order_by("-assessed_on", "-pk")
    queryset = MappingEntry.objects.filter(year=year, person_id__isnull=False)
    if municipality_ids is not None:
        queryset = queryset.filter(municipality_id__in=list(municipality_ids))
    queryset = queryset.filter(pk=Subquery(latest.filter(year=year).values("pk")[:1]))
    previous = latest.filter(year=year - 1)
    queryset = queryset.annotate(
        **{f"prev_{code}": Subquery(previous.values(code)[:1]) for code in AREA_CODES}
    )
    queryset = queryset.filter(**{f"prev_{AREA_CODES[0]}__isnull": False})
    aggregates = {"n": Count("pk")}
    for code in AREA_CODES:
        aggregates[f"{code}_better"] = Count("pk", filter=Q(**{f"{code}__lt": F(f"prev_{code}")}))
        aggregates[f"{code}_same"] = Count("pk", filter=Q(**{code: F(f"prev_{code}")}))
        aggregates[f"{code}_worse"] = Count("pk", filter=Q(**{f"{code}__gt": F(f"prev_{code}")}))
    rows: list[dict[str, Any]] = list(queryset.order_by().values("municipality_id").annotate(**aggregates))  # type: ignore[arg-type]
    return {
        int(row["municipality_id"]): {k: int(v or 0) for k, v in row.items() if k != "municipality_id"}
        for row in rows
    }


def change_table(counts: dict[int, dict[str, int]], ids: Iterable[int] | None = None) -> Table:
    wanted = set(ids) if ids is not None else None
    totals: dict[str, int] = {}
    for municipality_id, values in counts.items():
        if wanted is not None and municipality_id not in wanted:
            continue
        for key, value in values.items():
            totals[key] = totals.get(key, 0) + value
    return Table(
        [str(label) for _code, label in AREAS],
        change_columns(),
        [[totals.get(f"{code}_{kind}", 0) for kind in KINDS] for code in AREA_CODES],
        title=_("Endring fra året før for samme person"),
        respondents=totals.get("n", 0),
        rows_overlap=True,  # every area row splits the same persons into better/unchanged/worse
    )
