from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from mestring.accounts.roles import Perm
from mestring.core.permissions import HasMembershipPerm
from mestring.organisations import selectors
from mestring.organisations.models import MunicipalityFrame, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    parent_slug: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        source="parent", slug_field="slug", read_only=True
    )
    host_slug: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        source="host", slug_field="slug", read_only=True
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name",
            "slug",
            "kommunenummer",
            "parent_slug",
            "host_slug",
            "contact_email",
            "address",
        ]


class MunicipalityFrameSerializer(serializers.ModelSerializer):
    befolkningsklasse = serializers.CharField(read_only=True)

    class Meta:
        model = MunicipalityFrame
        fields = [
            "year",
            "kommunenummer",
            "name",
            "fylke",
            "helseregion",
            "kostragruppe",
            "population",
            "befolkningsklasse",
            "valid_from",
            "valid_to",
        ]


@extend_schema_view(retrieve=extend_schema(parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)]))
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations visible to the active membership; others answer 404."""

    serializer_class = OrganisationSerializer
    permission_classes = [HasMembershipPerm]
    required_perm = Perm.ORG_VIEW
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.visible_organisations(self.request._request.membership.organisation)  # type: ignore[attr-defined]


class MunicipalityFrameViewSet(viewsets.ReadOnlyModelViewSet):
    """The public municipality frame. `?year=` picks the year (default: newest)."""

    serializer_class = MunicipalityFrameSerializer
    permission_classes = [HasMembershipPerm]
    required_perm = Perm.ORG_VIEW

    def get_queryset(self) -> QuerySet[MunicipalityFrame]:
        raw_year = self.request.query_params.get("year")
        if raw_year is not None:
            if not raw_year.isdigit():
                raise serializers.ValidationError({"year": ["Året må være et tall, for eksempel 2026."]})
            return selectors.frame(int(raw_year))
        year = selectors.latest_frame_year()
        return selectors.frame(year) if year else MunicipalityFrame.objects.none()
