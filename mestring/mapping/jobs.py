"""Report files built in the background (registered with `mestring.stats.jobs` in AppConfig.ready)."""

from __future__ import annotations

from django.utils.text import slugify

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.stats.jobs import BuiltFile, Progress
from mestring.stats.models import ReportJob
from mestring.stats.render import render_pdf, render_xlsx


def _scope_and_year(job: ReportJob) -> tuple[object, int]:
    from mestring.mapping.access import resolve_scope

    membership = (
        Membership.objects.active()
        .filter(user=job.requested_by, organisation=job.organisation)
        .select_related("organisation")
        .first()
    )
    if membership is None or not membership.can(Perm.AGGREGATE_VIEW):
        # The role may have ended since the job was asked for: build nothing.
        raise PermissionError("membership no longer allows aggregate reports")
    params = {str(k): str(v) for k, v in job.params.items()}
    return resolve_scope(membership, params), int(params.get("aar", "0"))


def build_pdf(job: ReportJob, progress: Progress) -> BuiltFile:
    from mestring.mapping.reports import Scope
    from mestring.mapping.reports import cached_report as build_report

    scope, year = _scope_and_year(job)
    assert isinstance(scope, Scope)
    report = build_report(scope, year=year, progress=lambda p, m: progress(int(p * 0.7), m))
    progress(75, "Lager PDF")
    content = render_pdf(report)
    return BuiltFile(content, f"{slugify(report.key)}.pdf", "application/pdf")


def build_xlsx(job: ReportJob, progress: Progress) -> BuiltFile:
    from mestring.mapping.reports import Scope
    from mestring.mapping.reports import cached_report as build_report

    scope, year = _scope_and_year(job)
    assert isinstance(scope, Scope)
    report = build_report(scope, year=year, progress=lambda p, m: progress(int(p * 0.9), m))
    content = render_xlsx(report.tables(), title=report.title)
    return BuiltFile(
        content,
        f"{slugify(report.key)}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def build_html(job: ReportJob, progress: Progress) -> BuiltFile:
    """The report's sections as HTML for the page (a cooperation or the nation takes seconds to suppress).

    The page shows the stored HTML of the newest finished job with the same cache key (`params["key"]`).
    """
    from django.template.loader import render_to_string

    from mestring.mapping.reports import Scope
    from mestring.mapping.reports import cached_report as build_report
    from mestring.stats.render import report_blocks

    scope, year = _scope_and_year(job)
    assert isinstance(scope, Scope)
    report = build_report(scope, year=year, progress=lambda p, m: progress(int(p * 0.9), m))
    html = render_to_string("stats/_report.html", {"report": report, "blocks": report_blocks(report)})
    return BuiltFile(html.encode("utf-8"), f"{slugify(report.key)}.html", "text/html; charset=utf-8")


def stored_html(key: str) -> str | None:
    job = (
        ReportJob.objects.filter(kind="mapping.html", status=ReportJob.Status.DONE, params__key=key)
        .order_by("-finished_at")
        .first()
    )
    if job is None or job.result is None:
        return None
    return bytes(job.result).decode("utf-8")
