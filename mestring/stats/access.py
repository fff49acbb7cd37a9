"""Access to background report jobs: only the user who asked, through the same organisation; else 404."""

from __future__ import annotations

from django.http import Http404

from mestring.accounts.models import Membership
from mestring.stats.models import ReportJob


def access_job(membership: Membership, pk: int) -> ReportJob:
    job = ReportJob.objects.filter(
        pk=pk, requested_by=membership.user, organisation=membership.organisation
    ).first()
    if job is None:
        raise Http404
    return job
