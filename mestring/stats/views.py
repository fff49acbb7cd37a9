from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.core.permissions import member_required
from mestring.stats.access import access_job
from mestring.stats.models import ReportJob
from mestring.stats.suppression import SuppressionPolicy


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


@member_required(Perm.AGGREGATE_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    jobs = ReportJob.objects.filter(requested_by=membership.user, organisation=membership.organisation).defer(
        "result"
    )[:20]
    policy = SuppressionPolicy.from_settings()
    return render(
        request,
        "stats/index.html",
        {
            "jobs": jobs,
            "largest_hidden": policy.k - 1,
            "can_rounds": membership.can(Perm.MAPPING_MANAGE) or membership.can(Perm.MAPPING_ENTER),
        },
    )


@member_required(Perm.AGGREGATE_VIEW)
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(_membership(request), pk)
    template = "stats/_job_status.html" if request.htmx else "stats/job_status.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@member_required(Perm.AGGREGATE_VIEW)
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(_membership(request), pk)
    if job.status != ReportJob.Status.DONE or job.result is None:
        return render(request, "stats/job_status.html", {"job": job}, status=409)
    response = HttpResponse(bytes(job.result), content_type=job.content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response
