from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mestring.accounts.roles import Perm
from mestring.core.permissions import HasMembershipPerm
from mestring.stats.access import access_job
from mestring.stats.models import ReportJob


class ReportJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "progress",
            "message",
            "filename",
            "created_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, job: ReportJob) -> str | None:
        if job.status != ReportJob.Status.DONE:
            return None
        return reverse("stats:job_download", kwargs={"pk": job.pk})


class ReportJobDetail(APIView):
    """A background report build of the current user: status and progress (0–100)."""

    permission_classes = [HasMembershipPerm]
    required_perm = Perm.AGGREGATE_VIEW
    serializer_class = ReportJobSerializer

    def get(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        job = access_job(request._request.membership, pk)  # type: ignore[attr-defined]
        return Response(ReportJobSerializer(job).data)
