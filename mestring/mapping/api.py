"""The mapping API: rounds with progress (staff and managers), entry registration, suppressed reports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mestring.accounts.roles import Perm
from mestring.core.forms import validation_detail
from mestring.core.permissions import HasMembershipPerm
from mestring.mapping import services
from mestring.mapping.access import (
    access_round,
    can_work_with_rounds,
    entry_municipality_ids,
    resolve_scope,
    visible_rounds,
)
from mestring.mapping.models import MappingRound
from mestring.mapping.reports import cached_report
from mestring.mapping.validation import ALL_COLUMNS
from mestring.organisations.models import Organisation
from mestring.stats.render import report_to_dict


class RoundWorker(BasePermission):
    """The role may register mappings or manage rounds."""

    def has_permission(self, request: Any, view: Any) -> bool:
        membership = getattr(request._request, "membership", None)
        return bool(
            request.user.is_authenticated and membership is not None and can_work_with_rounds(membership)
        )


class MappingRoundSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    entry_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = MappingRound
        fields = ["id", "organisation", "year", "starts_on", "ends_on", "status", "entry_count"]


class MappingRoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Rounds the actor works with (own municipality, cooperation); others answer 404."""

    queryset = MappingRound.objects.none()  # for the schema; get_queryset restricts
    serializer_class = MappingRoundSerializer
    permission_classes = [RoundWorker]

    def get_queryset(self) -> QuerySet[MappingRound]:
        membership = self.request._request.membership  # type: ignore[attr-defined]
        return visible_rounds(membership).annotate(entry_count=Count("entries")).order_by("-year", "pk")


class EntryInputSerializer(serializers.Serializer):
    """The body of a new mapping (documentation; values are validated by `mapping.validation`)."""

    fodselsaar = serializers.IntegerField()
    kjonn = serializers.ChoiceField(choices=["k", "m"])
    bolig = serializers.ChoiceField(choices=["gronn", "gul", "rod"])
    meningsfull_aktivitet = serializers.ChoiceField(choices=["gronn", "gul", "rod"])
    okonomi = serializers.ChoiceField(choices=["gronn", "gul", "rod"])
    fysisk_helse = serializers.ChoiceField(choices=["gronn", "gul", "rod"])
    psykisk_helse = serializers.ChoiceField(choices=["gronn", "gul", "rod"])
    rusmiddelbruk = serializers.ChoiceField(choices=["gronn", "gul", "rod"])
    sosial_fungering = serializers.ChoiceField(choices=["gronn", "gul", "rod"])
    sosialt_nettverk = serializers.ChoiceField(choices=["gronn", "gul", "rod"])
    dato = serializers.DateField(required=False)
    fase = serializers.CharField(required=False)
    ip = serializers.CharField(required=False, help_text="ja/nei")
    koordinator = serializers.CharField(required=False, help_text="ja/nei")
    lar = serializers.CharField(required=False, help_text="ja/nei")
    barn_under_18 = serializers.CharField(required=False, help_text="ja/nei")
    kommunenummer = serializers.CharField(required=False)


class EntryCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()


class EntryCreate(APIView):
    """POST one anonymous mapping to a round. Body keys are the import column names (see README);
    `kommunenummer` picks the municipality in a cooperation round. 201 with the id, or 400 with messages."""

    permission_classes = [HasMembershipPerm]
    required_perm = Perm.MAPPING_ENTER

    @extend_schema(request=EntryInputSerializer, responses={201: EntryCreatedSerializer})
    def post(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        membership = request._request.membership  # type: ignore[attr-defined]
        mapping_round = access_round(membership, pk)
        data = request.data if isinstance(request.data, dict) else {}
        raw = {key: data.get(key) for key in ALL_COLUMNS if key in data}
        municipality = None
        knr = str(data.get("kommunenummer") or "").strip()
        if knr:
            municipality = Organisation.objects.filter(kind="municipality", kommunenummer=knr).first()
            if municipality is None or municipality.pk not in entry_municipality_ids(membership):
                return Response({"kommunenummer": ["Ukjent kommunenummer for denne runden."]}, status=400)
        elif mapping_round.organisation.kind == Organisation.Kind.COOPERATION:
            return Response(
                {"kommunenummer": ["Kommunenummer mangler (runden gjelder flere kommuner)."]}, status=400
            )
        try:
            entry = services.entry_create(
                actor=membership.user, mapping_round=mapping_round, raw=raw, municipality=municipality
            )
        except ValidationError as exc:
            return Response(validation_detail(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response({"id": entry.pk, "round": mapping_round.pk}, status=status.HTTP_201_CREATED)


class ReportView(APIView):
    """The suppressed mapping report as JSON: `?aar=YYYY` and `kommune=KNR`, `samarbeid=SLUG` or
    `nasjonalt=1`. Hidden figures are null; each table has its n and notes."""

    permission_classes = [HasMembershipPerm]
    required_perm = Perm.AGGREGATE_VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter("aar", int, description="År (standard: siste år med data)"),
            OpenApiParameter("kommune", str, description="Kommunenummer"),
            OpenApiParameter("samarbeid", str, description="Samarbeidets kortnavn"),
            OpenApiParameter("nasjonalt", str, description="1 for hele landet (nasjonale analytikere)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = request._request.membership  # type: ignore[attr-defined]
        params = {k: str(v) for k, v in request.query_params.items()}
        scope = resolve_scope(membership, params)
        raw_year = params.get("aar", "")
        if not raw_year:
            from mestring.mapping.views import _report_year

            year, _message = _report_year(request._request, scope)
        elif raw_year.isdigit() and 2000 <= int(raw_year) <= 2100:
            year = int(raw_year)
        else:
            return Response(
                {"aar": ["Året må være et tall mellom 2000 og 2100, for eksempel 2026."]}, status=400
            )
        return Response(report_to_dict(cached_report(scope, year=year)))
