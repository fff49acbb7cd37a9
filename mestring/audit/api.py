from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mestring.accounts.roles import Perm
from mestring.audit.models import AccessLog
from mestring.core.permissions import HasMembershipPerm
from mestring.people.access import access_person


class AccessLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessLog
        fields = [
            "at",
            "username",
            "user_display",
            "organisation_name",
            "role",
            "what",
            "purpose",
            "break_glass",
        ]


class PersonAccessLogView(APIView):
    """Who has read the person's record (innsyn). Reading this list is itself logged."""

    permission_classes = [HasMembershipPerm]
    required_perm = Perm.PERSON_VIEW
    serializer_class = AccessLogSerializer

    @extend_schema(responses=AccessLogSerializer(many=True))
    def get(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        person = access_person(request=request._request, person_id=pk, what="API: innsyn tilgangslogg")
        rows = AccessLog.objects.filter(person_id=person.pk).order_by("-at", "-pk")[:1000]
        return Response(AccessLogSerializer(rows, many=True).data)
