from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mestring.accounts.roles import PERMISSIONS
from mestring.accounts.selectors import memberships_of
from mestring.core.permissions import HasMembershipPerm


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    active_membership = MembershipSerializer()
    memberships = MembershipSerializer(many=True)
    permissions = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    """Who am I, which organisation do I act through, and what may I do there."""

    permission_classes = [HasMembershipPerm]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        membership = request._request.membership  # type: ignore[attr-defined]
        data = {
            "username": request.user.get_username(),
            "active_membership": membership,
            "memberships": list(memberships_of(request.user)),  # type: ignore[arg-type]
            "permissions": sorted(PERMISSIONS.get(membership.role, frozenset())),
        }
        return Response(MeSerializer(data).data)
