"""stats: the one door for aggregates. Every count that leaves mestring passes through here.

Layers (use the highest that fits):

1. **Counting in the database** (`mestring.stats.tables`): never loop over rows in Python.

   * ``cube(queryset, dimensions, measures)`` – one ``GROUP BY dims`` with ``COUNT(*)`` and conditional
     counts (``measures = {"name": Q(...)}``); returns a :class:`~mestring.stats.tables.Cube`.
   * ``cube_of_sums(queryset, dimensions, fields)`` – the same over a pre-aggregated table (``SUM``).
   * ``Cube.table(rows=, columns=, row_of=, column_of=)`` / ``Cube.sum_by`` / ``Cube.total`` – two-way
     tables and margins added up from the (small) cube, so many tables cost one query.
   * ``count_table(queryset, row_field=, column_field=, rows=[(value, label)], columns=[...])`` and
     ``condition_table(queryset, rows=[(label, Q)], columns=[(label, Q)])`` – one table, one query.

   These return a :class:`~mestring.stats.suppression.Table` (counts before suppression).

2. **Suppression** (`mestring.stats.suppression`, finished and tested; read its docstring): primary
   (1..k-1 hidden, 0 shown), secondary (nothing hidden can be worked out), minimum group size for shares,
   and ``suppress_linked`` for tables published together that nest. On top of it in ``tables``:

   * ``publish(key, table, **options)`` – suppress one table and wrap it as a ``ReportTable``;
   * ``publish_linked((key, parent), [(key, child), …])`` – a cooperation beside its members;
   * ``suppress_nested(child, parents)`` – one small table beside several larger ones that contain it
     (a municipality beside its KOSTRA group, county, region and the nation).
   * **Overlapping rows**: ``Table(rows, columns, counts, respondents=n, rows_overlap=True)`` when every row
     is a partition of the same group (per service: receives and needs / needs only / receives only /
     neither of the same n persons; per area: green/yellow/red). A column sum across such rows counts
     nothing, so it is not published (``HiddenReason.NOT_PUBLISHED``; renderers print no total row, the
     API gives ``null`` and ``rows_overlap: true``) and does not drive suppression. Each row is protected
     on its own against its published row total: primary, the cells of a row of 1..min_group_size-1 (its
     total is a count like any other: hidden for 1..k-1, shown from k), and secondary within the row.
     The grand total is n; row totals equal to n are hidden together with it.
     ``suppress_table``, ``suppress_linked``, ``suppress_nested`` and ``publish`` all accept such tables
     (every table of one linked run must agree). Rows that are disjoint groups (municipalities, age
     groups) must keep ``rows_overlap=False``: they need their column sums protected.
   * ``suppression.suppress_indicators([(label, yes)], n)`` – yes/no indicators over one group of n, the
     two-column case of overlapping rows; wrap it in ``ReportTable(..., show_totals=False)`` to hide the
     row totals as well.

3. **The published shape**: ``ReportTable(key, title, table: SuppressedTable, row_header, description,
   share_axis="row"|"column"|"total"|None, chart="stacked"|"bars"|"none", colours)`` with ``rows``,
   ``columns``, ``n``, ``notes`` (suppression notes + share notes), ``shares`` and ``body()``/``footer()``.
   ``ReportSection(title, tables, intro)`` and ``Report(title, subtitle, sections, facts, notes, key)``
   group them.

4. **Renderers** (`mestring.stats.render`) – all print a figure or ``:`` and the table notes, never a
   per-cell reason:

   * HTML: ``{% include "stats/_report.html" %}`` with ``report`` and ``blocks=report_blocks(report)``
     (chart and table side by side, n and notes under each), or ``render_table_html(report_table)``;
     add ``{% static 'stats/stats.css' %}`` to the page head.
   * ``render_chart(report_table)`` – inline SVG (``role="img"``, title/desc, no inline styles: CSP),
     always shown next to the table with the same figures.
   * ``render_csv(tables, title=)`` (semicolon-separated), ``render_xlsx(tables, title=)`` (one sheet per
     table, numbers as numbers), ``render_markdown(tables, title=)``, ``render_pdf(report)`` (WeasyPrint).
   * ``table_to_dict(report_table)`` / ``report_to_dict(report)`` – the API shape: hidden figures are
     ``null`` with ``hidden: true``; every table carries ``n``, ``notes`` and ``hidden_symbol``.

5. **Background builds** (`mestring.stats.jobs`): ``register_builder(kind, builder)`` in your
   ``AppConfig.ready()``; ``job_request(membership=, kind=, params=, title=)`` stores a ``ReportJob`` and
   enqueues it (django-tasks); ``stats:job_status`` (htmx-polled progress), ``stats:job_download`` and
   ``/api/v1/stats/jobs/<id>/`` show it to the user who asked, and to nobody else (404).

Example (a survey crosstab)::

    from mestring.stats.tables import count_table, publish
    from mestring.stats.render import render_csv

    table = count_table(
        answers, row_field="question__code", column_field="value",
        rows=[("q1", "Tilgjengelighet")], columns=[("1", "I stor grad"), ("2", "I noen grad")],
        title="Svar per spørsmål",
    )
    published = publish("svar", table, share_axis="row", chart="stacked")
    csv_text = render_csv([published], title="Brukerundersøkelse 2026")
"""
