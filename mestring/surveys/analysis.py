"""Analysis of survey answers. Every table passes through `mestring.stats.suppression` before it is shown,
exported or returned by the API; this module returns only suppressed tables (`Published`).

Units: for a national survey the unit is a responding municipality (one response; a joint answer for a
cooperation counts once, for the municipality that gave it, while the covered municipalities count as
responded
in the representativeness tables). For a satisfaction survey the unit is one anonymous answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from scipy.stats import chi2_contingency

from mestring.organisations.models import BUILTIN_GROUP_SETS, GroupSet
from mestring.organisations.selectors import group_assignments
from mestring.stats.suppression import (
    HIDDEN_SYMBOL,
    SuppressedTable,
    SuppressionPolicy,
    Table,
    percentages,
    suppress_linked,
    suppress_table,
)
from mestring.surveys import engine
from mestring.surveys.engine import COLLAB_DIMENSIONS, Form, QuestionDef
from mestring.surveys.models import (
    NationalSurvey,
    QuestionType,
    Response,
    SatisfactionAnswer,
    SatisfactionSurvey,
    Theme,
)

REPRESENTATIVENESS_SETS = ["befolkningsklasse", "kostragruppe", "fylke", "helseregion"]


@dataclass(frozen=True)
class Published:
    """A suppressed table ready to render: header, rows of strings, notes; plus the χ² result if any."""

    title: str
    header: list[str]
    rows: list[list[str]]
    notes: tuple[str, ...]
    n: int | None = None
    chi2: dict[str, Any] | None = None
    table: SuppressedTable | None = field(default=None, compare=False, repr=False)

    @property
    def caption(self) -> str:
        """The title with n, as every page, export and printout heads the table."""
        return self.title if self.n is None else f"{self.title} (n = {self.n})"


def fmt_count(value: int | None) -> str:
    return HIDDEN_SYMBOL if value is None else str(value)


def fmt_share(value: float | None) -> str:
    return HIDDEN_SYMBOL if value is None else f"{value:.1f}".replace(".", ",")


def fmt_p(p_value: float) -> str:
    """A p-value as printed: «p < 0,001» below 0.001 (never «p = 0,000»), else «p = 0,023»."""
    if p_value < 0.001:
        return "p < 0,001"
    return "p = " + f"{p_value:.3f}".replace(".", ",")


def group_set_name(slug: str) -> str:
    if slug in BUILTIN_GROUP_SETS:
        return BUILTIN_GROUP_SETS[slug]
    group_set = GroupSet.objects.filter(slug=slug).first()
    return group_set.name if group_set else slug


def _lower_first(name: str) -> str:
    """«Fylke» → «fylke», but «KOSTRA-gruppe» stays."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def group_sets() -> list[tuple[str, str]]:
    return [(g.slug, g.name) for g in GroupSet.objects.order_by("-is_builtin", "name")] or list(
        BUILTIN_GROUP_SETS.items()
    )


def _ordered_groups(labels: Iterable[str], slug: str) -> list[str]:
    unique = set(labels)
    if slug == "befolkningsklasse":
        from mestring.organisations.models import POPULATION_CLASSES

        return [label for _upper, label in POPULATION_CLASSES if label in unique]
    return sorted(unique, key=lambda s: (len(s) > 3, s) if s.isdigit() else (True, s))


# ---------------------------------------------------------------------------------------------------------
# Representativeness (002 tables 2.1–2.4)
# ---------------------------------------------------------------------------------------------------------


MUNICIPALITY_COUNTS = SuppressionPolicy(k=1, min_group_size=0, secondary=False)
"""The policy of tables that count municipalities, not persons: nothing is hidden.

Used only by :func:`representativeness` (frame counts, responding municipalities and response rates per
group). The frame is public (every municipality with its population class, KOSTRA group, county and health
region), a municipality is not a person, and whether a municipality has answered a national survey is not
confidential (decision of the project lead, QA finding 18). The answers themselves (frequency tables,
crosstabs, themes) stay suppressed with the settings' policy.
"""


def representativeness(survey: NationalSurvey, slug: str) -> Published:
    """Total, responded and response % per group of a group set, with a sum line.

    Counts of municipalities, shown unsuppressed (:data:`MUNICIPALITY_COUNTS`); the note says so.
    """
    assignments = group_assignments(survey.frame_year, slug)
    responded = {
        i.kommunenummer: i.responded
        for i in survey.invitations.only("kommunenummer", "completed_at", "covered_by")
    }
    groups = _ordered_groups(assignments.values(), slug)
    counts: dict[str, dict[str, int]] = {g: {"yes": 0, "no": 0} for g in groups}
    for knr, group in assignments.items():
        counts[group]["yes" if responded.get(knr) else "no"] += 1
    table = Table.from_mapping(counts, rows=groups, columns=["yes", "no"], title=group_set_name(slug))
    published = suppress_table(table, MUNICIPALITY_COUNTS)
    shares = percentages(published, axis="row")
    rows = []
    for i, group in enumerate(groups):
        rows.append(
            [
                group,
                fmt_count(published.row_totals[i].value),
                fmt_count(published.cells[i][0].value),
                fmt_share(shares.cells[i][0]),
            ]
        )
    rows.append(
        [
            _("Sum"),
            fmt_count(published.grand_total.value),
            fmt_count(published.column_totals[0].value),
            fmt_share(shares.column_totals[0]),
        ]
    )
    return Published(
        title=_("Representativitet etter %(set)s") % {"set": _lower_first(group_set_name(slug))},
        header=[group_set_name(slug), _("Totalt"), _("Svarte"), _("Svarprosent")],
        rows=rows,
        notes=(
            _(
                "Enhetene er kommuner: antall kommuner i kommunerammen for %(year)s og antall kommuner som "
                "har svart. Tallene er ikke skjult, fordi kommunerammen er offentlig og kommuner ikke er "
                "personer."
            )
            % {"year": survey.frame_year},
        ),
        n=published.grand_total.value,
        table=published,
    )


# ---------------------------------------------------------------------------------------------------------
# Frequencies
# ---------------------------------------------------------------------------------------------------------


def submitted_data(survey: NationalSurvey) -> list[tuple[str, dict[str, Any]]]:
    """(kommunenummer, answers) of every submitted response."""
    return [
        (knr, data)
        for knr, data in Response.objects.filter(invitation__survey=survey, submitted_at__isnull=False)
        .order_by("invitation__kommunenummer")
        .values_list("invitation__kommunenummer", "data")
    ]


def _one_way(
    title: str, categories: Sequence[tuple[str, str]], values: Iterable[Any], policy: SuppressionPolicy | None
) -> Published:
    counter = Counter(str(v) for v in values if v is not None)
    labels = [label for _value, label in categories]
    if len(set(labels)) != len(labels):
        labels = [f"{label} ({value})" for value, label in categories]
    counts = {label: counter.get(value, 0) for (value, _l), label in zip(categories, labels, strict=True)}
    table = Table.one_way(counts, column=_("Antall"), title=title)
    suppressed = suppress_table(table, policy, hide_small_group=True)
    shares = percentages(suppressed, axis="column")
    rows = [
        [label, fmt_count(suppressed.cells[i][0].value), fmt_share(shares.cells[i][0])]
        for i, label in enumerate(suppressed.rows)
    ]
    rows.append([_("Totalt"), fmt_count(suppressed.grand_total.value), fmt_share(shares.column_totals[0])])
    return Published(
        title=title,
        header=[_("Svar"), _("Antall"), _("Prosent")],
        rows=rows,
        notes=suppressed.notes + shares.notes,
        n=suppressed.n,
        table=suppressed,
    )


def _multiple(
    q: QuestionDef, datas: Sequence[Mapping[str, Any]], policy: SuppressionPolicy | None
) -> Published:
    """Multiple choice: count per option, share of those who answered the question.

    Every option is "chosen / not chosen" of the same respondents, so the rows overlap (``rows_overlap``):
    each row is protected against its own total (the respondents), and no column sum is published or
    drives suppression. Fewer respondents than ``min_group_size`` hide everything, as in `_one_way`.
    """
    answered = [d[q.name] for d in datas if d.get(q.name)]
    counts = {o.label: sum(1 for a in answered if o.value in a) for o in q.options}
    respondents = len(answered)
    table = Table(
        rows=list(counts),
        columns=[_("Valgt"), _("Ikke valgt")],
        counts=[[c, respondents - c] for c in counts.values()],
        title=q.text,
        respondents=respondents,
        rows_overlap=True,
    )
    # As every frequency table of the survey: fewer respondents than min_group_size hide everything, n too.
    suppressed = suppress_table(table, policy, hide_small_group=True)
    shares = percentages(suppressed, axis="row")
    rows = []
    for i, label in enumerate(suppressed.rows):
        rows.append([label, fmt_count(suppressed.cells[i][0].value), fmt_share(shares.cells[i][0])])
    rows.append([_("Svarte på spørsmålet"), fmt_count(suppressed.n), ""])
    return Published(
        title=q.text,
        header=[_("Svar"), _("Antall"), _("Prosent av dem som svarte")],
        rows=rows,
        notes=suppressed.notes + shares.notes,
        n=suppressed.n,
        table=suppressed,
    )


def _grid(
    title: str,
    rows: Sequence[tuple[str, str]],
    categories: Sequence[tuple[str, str]],
    value_of: Any,
    datas: Sequence[Mapping[str, Any]],
    policy: SuppressionPolicy | None,
) -> Published:
    """A matrix (items × scale): one row per item, shares of the row, the item's own n in the last column.

    ``n`` of the table is the number of respondents who answered at least one item (never a sum over items:
    a respondent is in every item they answered). The items describe the same respondents, so the rows
    overlap (``rows_overlap`` with ``respondents=n``): each item is protected against its own total, the
    answers of an item answered by fewer than ``min_group_size`` are hidden (its total as any count), and no
    column sum is published. An
    item's total may be below n (some skipped it); n minus the item's total is the item non-response, which
    the frequency tables publish for every question in the same way (n per question beside the respondents).
    """
    counts: dict[str, dict[str, int]] = {}
    respondents = 0
    for d in datas:
        if any(value_of(d, item) is not None for item, _label in rows):
            respondents += 1
    for item, label in rows:
        counter = Counter(str(v) for d in datas if (v := value_of(d, item)) is not None)
        counts[label] = {c_label: counter.get(c_value, 0) for c_value, c_label in categories}
    row_labels = [label for _i, label in rows]
    column_labels = [label for _v, label in categories]
    table = Table(
        rows=row_labels,
        columns=column_labels,
        counts=[[counts[r][c] for c in column_labels] for r in row_labels],
        title=title,
        respondents=respondents,
        rows_overlap=True,
    )
    suppressed = suppress_table(table, policy)
    shares = percentages(suppressed, axis="row")
    body = []
    for i, label in enumerate(suppressed.rows):
        line = [label]
        for j in range(len(suppressed.columns)):
            line.append(fmt_share(shares.cells[i][j]))
        line.append(fmt_count(suppressed.row_totals[i].value))
        body.append(line)
    return Published(
        title=title,
        header=[_("Linje"), *(f"{c} (%)" for c in suppressed.columns), "n"],
        rows=body,
        notes=suppressed.notes + shares.notes,
        n=suppressed.n,
        table=suppressed,
    )


def frequency_tables(
    form: Form, datas: Sequence[Mapping[str, Any]], *, only: str = "", policy: SuppressionPolicy | None = None
) -> list[Published]:
    """Frequency tables (n and %) for every closed question (or `only` that one)."""
    out: list[Published] = []
    for q in form.questions.values():
        if only and q.name != only:
            continue
        if q.type in (QuestionType.SINGLE, QuestionType.SCALE):
            out.append(
                _one_way(
                    q.text, [(o.value, o.label) for o in q.options], (d.get(q.name) for d in datas), policy
                )
            )
        elif q.type == QuestionType.MULTIPLE:
            out.append(_multiple(q, datas, policy))
        elif q.type == QuestionType.MATRIX:
            out.append(
                _grid(
                    q.text,
                    q.items,
                    [(o.value, o.label) for o in q.options],
                    lambda d, item, q=q: (d.get(q.name) or {}).get(item),
                    datas,
                    policy,
                )
            )
        elif q.type == QuestionType.COLLABORATION:
            for dimension, dim_label, _opts in COLLAB_DIMENSIONS:
                out.append(
                    _grid(
                        f"{q.text}: {dim_label.lower()}",
                        q.items,
                        engine.collab_options(dimension),
                        lambda d, item, q=q, dimension=dimension: ((d.get(q.name) or {}).get(item) or {}).get(
                            dimension
                        ),
                        datas,
                        policy,
                    )
                )
        elif q.type == QuestionType.NUMBER:
            values = [d[q.name] for d in datas if d.get(q.name) is not None]
            out.append(_number_summary(q, values, policy))
    return out


def _number_summary(q: QuestionDef, values: Sequence[float], policy: SuppressionPolicy | None) -> Published:
    policy = policy or SuppressionPolicy.from_settings()
    n = len(values)
    notes: tuple[str, ...] = ()
    if 0 < n < policy.min_group_size:
        rows = [
            [_("Antall svar"), HIDDEN_SYMBOL],
            [_("Gjennomsnitt"), HIDDEN_SYMBOL],
            [_("Median"), HIDDEN_SYMBOL],
        ]
        notes = (_("Færre enn %(n)s har svart, derfor vises ingen tall.") % {"n": policy.min_group_size},)
    else:
        ordered = sorted(float(v) for v in values)
        mean = sum(ordered) / n if n else None
        median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2 if n else None
        rows = [
            [_("Antall svar"), str(n)],
            [_("Gjennomsnitt"), "" if mean is None else f"{mean:.1f}".replace(".", ",")],
            [_("Median"), "" if median is None else f"{median:.1f}".replace(".", ",")],
        ]
    return Published(title=q.text, header=["", _("Verdi")], rows=rows, notes=notes, n=n)


# ---------------------------------------------------------------------------------------------------------
# Crosstabs with χ²
# ---------------------------------------------------------------------------------------------------------


def crosstab_categories(form: Form) -> list[tuple[str, str]]:
    """Questions usable in a crosstab: single choice and scales."""
    return [
        (q.name, q.text)
        for q in form.questions.values()
        if q.type in (QuestionType.SINGLE, QuestionType.SCALE)
    ]


def chi_square(counts: Sequence[Sequence[int]]) -> dict[str, Any] | None:
    """χ² test of independence on the raw counts (empty rows and columns dropped), or None if not possible."""
    rows = [list(r) for r in counts if sum(r) > 0]
    if not rows:
        return None
    keep = [j for j in range(len(rows[0])) if sum(r[j] for r in rows) > 0]
    matrix = [[r[j] for j in keep] for r in rows]
    if len(matrix) < 2 or len(keep) < 2:
        return None
    statistic, p_value, dof, expected = chi2_contingency(matrix, correction=False)
    small = sum(1 for line in expected for e in line if e < 5)
    return {
        "statistic": float(statistic),
        "p_value": float(p_value),
        "dof": int(dof),
        "small_expected": small,
        "cells": len(matrix) * len(keep),
        "p_text": fmt_p(float(p_value)),
    }


def crosstab(
    *,
    form: Form,
    rows_data: Sequence[tuple[str, Mapping[str, Any]]],
    row_question: str,
    column_question: str = "",
    group_labels: Mapping[str, str] | None = None,
    group_order: Sequence[str] = (),
    group_title: str = "",
    policy: SuppressionPolicy | None = None,
) -> Published:
    """Rows: the categories of `row_question` (or the groups of a group set); columns: `column_question`.

    `rows_data` is (kommunenummer, answers). Counts are suppressed; shares are of the row; χ² is computed on
    the raw counts and shown only when the table has at least `min_group_size` units and no hidden figure
    (with published margins, χ² of a 2 × 2 table determines its cells).
    """
    policy = policy or SuppressionPolicy.from_settings()
    if group_labels is None and (not column_question or column_question == row_question):
        raise ValueError("a question cannot be crossed with itself")
    col_q = form.question(column_question or row_question)
    if group_labels is not None:
        row_cats = [(g, g) for g in group_order]
        row_title = group_title

        def row_value(knr: str, data: Mapping[str, Any]) -> str | None:
            return group_labels.get(knr)
    else:
        row_q = form.question(row_question)
        row_cats = [(o.value, o.label) for o in row_q.options]
        row_title = row_q.text

        def row_value(knr: str, data: Mapping[str, Any]) -> str | None:
            value = data.get(row_q.name)
            return None if value is None else str(value)

    col_cats = [(o.value, o.label) for o in col_q.options]
    counter: Counter[tuple[str, str]] = Counter()
    for knr, data in rows_data:
        r, c = row_value(knr, data), data.get(col_q.name)
        if r is None or c is None:
            continue
        counter[(r, str(c))] += 1
    raw = [[counter[(r, c)] for c, _cl in col_cats] for r, _rl in row_cats]
    table = Table(
        rows=[label for _v, label in row_cats],
        columns=[label for _v, label in col_cats],
        counts=raw,
        title=f"{col_q.text} × {row_title}",
    )
    suppressed = suppress_table(table, policy)
    shares = percentages(suppressed, axis="row")
    body = []
    for i, label in enumerate(suppressed.rows):
        body.append(
            [
                label,
                *(fmt_share(shares.cells[i][j]) for j in range(len(suppressed.columns))),
                fmt_count(suppressed.row_totals[i].value),
            ]
        )
    body.append(
        [
            _("Totalt"),
            *(fmt_share(shares.column_totals[j]) for j in range(len(suppressed.columns))),
            fmt_count(suppressed.grand_total.value),
        ]
    )
    total = sum(sum(r) for r in raw)
    notes = suppressed.notes + shares.notes
    chi2 = None
    if total >= policy.min_group_size:
        if suppressed.hidden_positions:
            # With the margins published, χ² can give a hidden cell away (in a 2 × 2 table exactly).
            notes = (*notes, _("Kjikvadrattesten vises ikke når tall i tabellen er skjult."))
        else:
            chi2 = chi_square(raw)
    return Published(
        title=table.title,
        header=[row_title, *(f"{c} (%)" for c in suppressed.columns), "n"],
        rows=body,
        notes=notes,
        n=suppressed.grand_total.value,
        chi2=chi2,
        table=suppressed,
    )


def survey_crosstab(
    survey: NationalSurvey,
    *,
    question: str,
    by_question: str = "",
    by_group_set: str = "",
    form: Form | None = None,
    policy: SuppressionPolicy | None = None,
) -> Published:
    if by_question and by_group_set:
        raise ValueError("cross by a question or by a group set, not both")
    if not by_question and not by_group_set:
        raise ValueError("cross by a question or by a group set")
    form = form or engine.load_form(survey.version)
    data = submitted_data(survey)
    if by_group_set:
        labels = group_assignments(survey.frame_year, by_group_set)
        return crosstab(
            form=form,
            rows_data=data,
            row_question="",
            column_question=question,
            group_labels=labels,
            group_order=_ordered_groups(labels.values(), by_group_set),
            group_title=group_set_name(by_group_set),
            policy=policy,
        )
    return crosstab(
        form=form, rows_data=data, row_question=by_question, column_question=question, policy=policy
    )


# ---------------------------------------------------------------------------------------------------------
# Open answers and themes
# ---------------------------------------------------------------------------------------------------------


@dataclass
class OpenAnswer:
    response_id: int
    kommunenummer: str
    name: str
    text: str
    theme_ids: set[int]


def open_answers(survey: NationalSurvey, question_name: str) -> list[OpenAnswer]:
    responses = (
        Response.objects.filter(invitation__survey=survey, submitted_at__isnull=False)
        .select_related("invitation")
        .prefetch_related("codes")
        .order_by("invitation__kommunenummer")
    )
    out = []
    for r in responses:
        text = r.data.get(question_name)
        if text:
            out.append(
                OpenAnswer(
                    r.pk,
                    r.invitation.kommunenummer,
                    r.invitation.name,
                    str(text),
                    {c.theme_id for c in r.codes.all() if c.theme.question_name == question_name},
                )
            )
    return out


def theme_counts(
    survey: NationalSurvey, question_name: str, *, policy: SuppressionPolicy | None = None
) -> Published:
    themes = list(Theme.objects.filter(survey=survey, question_name=question_name).order_by("name"))
    counts = {t.name: t.codes.count() for t in themes}
    if not counts:
        return Published(title=_("Temaer"), header=[_("Tema"), _("Antall svar")], rows=[], notes=())
    table = Table.one_way(counts, column=_("Antall svar"), title=_("Temaer"))
    suppressed = suppress_table(table, policy)
    rows = [[label, fmt_count(suppressed.cells[i][0].value)] for i, label in enumerate(suppressed.rows)]
    return Published(
        title=_("Temaer i de åpne svarene"),
        header=[_("Tema"), _("Antall svar")],
        rows=rows,
        notes=(*suppressed.notes, _("Et svar kan ha flere temaer, så antallene summeres ikke.")),
        table=suppressed,
    )


# ---------------------------------------------------------------------------------------------------------
# Satisfaction survey results
# ---------------------------------------------------------------------------------------------------------


@dataclass
class SatisfactionResult:
    n: int
    enough: bool
    minimum: int
    round_name: str
    tables: list[Published]


def satisfaction_results(survey: SatisfactionSurvey) -> SatisfactionResult:
    """The current (or latest) round beside the municipality and earlier rounds, per closed question.

    Nothing is shown below `survey.min_answers` answers, and never below the settings' minimum group size
    (`effective_min_answers`: an older survey may hold a lower value). The unit and its municipality are
    suppressed together (`suppress_linked`), so subtracting one from the other reveals nothing.
    """
    policy = SuppressionPolicy.from_settings()
    minimum = max(survey.effective_min_answers, policy.min_group_size)
    policy = SuppressionPolicy(k=policy.k, min_group_size=minimum, secondary=policy.secondary)
    rounds = list(survey.rounds.order_by("opened_on", "pk"))
    current = survey.current_round() or (rounds[-1] if rounds else None)
    if current is None:
        return SatisfactionResult(0, False, minimum, "", [])
    answers = [a.data for a in SatisfactionAnswer.objects.filter(round=current).only("data")]
    n = len(answers)
    if n < minimum:
        return SatisfactionResult(n, False, minimum, current.name, [])
    municipality_answers = [
        a.data
        for a in SatisfactionAnswer.objects.filter(
            round__survey__unit__parent_id=survey.unit.parent_id,
            round__survey__version__questionnaire_id=survey.version.questionnaire_id,
            round__name=current.name,
        ).only("data")
    ]
    earlier = [
        (r.name, [a.data for a in r.answers.only("data")])
        for r in rounds
        if r.pk != current.pk and r.opened_on <= current.opened_on
    ]
    form = engine.load_form(survey.version)
    tables = []
    for q in form.questions.values():
        if q.type not in (QuestionType.SINGLE, QuestionType.SCALE):
            continue
        categories = [(o.value, o.label) for o in q.options]
        labels = [label for _v, label in categories]

        def one(
            datas: Sequence[Mapping[str, Any]],
            q: QuestionDef = q,
            categories: list[tuple[str, str]] = categories,
        ) -> Table:
            counter = Counter(str(d.get(q.name)) for d in datas if d.get(q.name) is not None)
            return Table.one_way(
                {label: counter.get(value, 0) for value, label in categories}, column=_("Antall")
            )

        unit_table = one(answers)
        if unit_table.grand_total == 0:
            # Nobody in the round answered this question (optional, or shown only on a condition): a table of
            # hidden figures would say nothing, so say that.
            tables.append(
                Published(
                    title=q.text,
                    header=[],
                    rows=[],
                    notes=(_("Ingen svar på dette spørsmålet."),),
                    n=0,
                )
            )
            continue
        linked = suppress_linked(one(municipality_answers), [unit_table], policy)
        columns: list[tuple[str, SuppressedTable]] = [
            (_("Enheten, %(round)s") % {"round": current.name}, linked.children[0]),
            (_("Kommunen, %(round)s") % {"round": current.name}, linked.parent),
        ]
        for name, datas in earlier:
            columns.append(
                (
                    _("Enheten, %(round)s") % {"round": name},
                    suppress_table(one(datas), policy, hide_small_group=True),
                )
            )
        body = []
        notes: list[str] = []
        share_sets = []
        for _title, table in columns:
            shares = percentages(table, axis="column")
            share_sets.append(shares)
            notes.extend(n for n in (*table.notes, *shares.notes) if n not in notes)
        for i, label in enumerate(labels):
            body.append([label, *(fmt_share(s.cells[i][0]) for s in share_sets)])
        body.append(["n", *(fmt_count(table.grand_total.value) for _t, table in columns)])
        tables.append(
            Published(
                title=q.text,
                header=[_("Svar"), *(f"{title} (%)" for title, _t in columns)],
                rows=body,
                notes=tuple(notes),
                # The question's own n (those in the round who answered it), as in the table's n row; hidden
                # when suppression hides it. The round's total is in the page's heading.
                n=linked.children[0].grand_total.value,
            )
        )
    return SatisfactionResult(n, True, minimum, current.name, tables)


def published_as_markdown(tables: Sequence[Published]) -> str:
    out = []
    for t in tables:
        out.append(f"### {t.caption}\n")
        out.append("| " + " | ".join(t.header) + " |")
        out.append("|" + "---|" * len(t.header))
        for row in t.rows:
            out.append("| " + " | ".join(row) + " |")
        for note in t.notes:
            out.append(f"\n_{note}_")
        if t.chi2:
            out.append(f"\nχ² = {t.chi2['statistic']:.2f}, df = {t.chi2['dof']}, {fmt_p(t.chi2['p_value'])}")
        out.append("")
    return "\n".join(out)
