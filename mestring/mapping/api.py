"""The mapping API: rounds with progress (staff and managers), entry registration and correction, suppressed
reports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mestring.accounts.roles import Perm
from mestring.core.forms import validation_detail
from mestring.core.permissions import HasMembershipPerm
from mestring.mapping import services
from mestring.mapping.access import (
    access_entry,
    access_round,
    can_work_with_rounds,
    editable_municipality_ids,
    entry_municipality_ids,
    resolve_scope,
    visible_entries,
    visible_rounds,
)
from mestring.mapping.models import MappingEntry, MappingRound
from mestring.mapping.reports import cached_report
from mestring.mapping.validation import ALL_COLUMNS, entry_columns, is_whole_number
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
    entry_count = serializers.SerializerMethodField(help_text="Kartleggingene du har tilgang til i runden.")

    class Meta:
        model = MappingRound
        fields = ["id", "organisation", "year", "starts_on", "ends_on", "status", "entry_count"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_entry_count(self, obj: MappingRound) -> int:
        membership = self.context["request"]._request.membership
        return visible_entries(membership, obj).count()


class MappingRoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Rounds the actor works with (own municipality, cooperation); others answer 404."""

    queryset = MappingRound.objects.none()  # for the schema; get_queryset restricts
    serializer_class = MappingRoundSerializer
    permission_classes = [RoundWorker]

    def get_queryset(self) -> QuerySet[MappingRound]:
        membership = self.request._request.membership  # type: ignore[attr-defined]
        return visible_rounds(membership).order_by("-year", "pk")


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
        data = request.data
        if not isinstance(data, dict):
            return _bad({"non_field_errors": ["Send et JSON-objekt med kolonnene for kartleggingen."]})
        # A misspelt optional column would otherwise be dropped silently (stored as «nei»/empty), as
        # the import and PATCH refuse unknown columns.
        unknown = sorted(str(key) for key in data if key not in ALL_COLUMNS)
        if unknown:
            return _bad({key: ["Ukjent felt. Se kolonnene i dokumentasjonen."] for key in unknown})
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


RATINGS = ["gronn", "gul", "rod"]


class EntrySerializer(serializers.Serializer):
    """A registered mapping in the import column format (booleans for the ja/nei columns)."""

    id = serializers.IntegerField()
    runde = serializers.IntegerField()
    versjon = serializers.IntegerField(help_text="Oppgi denne ved PATCH (optimistisk låsing).")
    kommunenummer = serializers.CharField()
    enhet = serializers.CharField(allow_blank=True, help_text="Enhetens kortnavn; tom uten enhet.")
    fodselsaar = serializers.IntegerField()
    kjonn = serializers.ChoiceField(choices=["k", "m"])
    bolig = serializers.ChoiceField(choices=RATINGS)
    meningsfull_aktivitet = serializers.ChoiceField(choices=RATINGS)
    okonomi = serializers.ChoiceField(choices=RATINGS)
    fysisk_helse = serializers.ChoiceField(choices=RATINGS)
    psykisk_helse = serializers.ChoiceField(choices=RATINGS)
    rusmiddelbruk = serializers.ChoiceField(choices=RATINGS)
    sosial_fungering = serializers.ChoiceField(choices=RATINGS)
    sosialt_nettverk = serializers.ChoiceField(choices=RATINGS)
    dato = serializers.DateField()
    fase = serializers.CharField(allow_blank=True)
    ip = serializers.BooleanField()
    koordinator = serializers.BooleanField()
    lar = serializers.BooleanField()
    barn_under_18 = serializers.BooleanField()
    mottar_botilbud = serializers.BooleanField()
    trenger_botilbud = serializers.BooleanField()
    mottar_aktivitet = serializers.BooleanField()
    trenger_aktivitet = serializers.BooleanField()
    mottar_okonomi = serializers.BooleanField()
    trenger_okonomi = serializers.BooleanField()
    mottar_helsehjelp = serializers.BooleanField()
    trenger_helsehjelp = serializers.BooleanField()
    mottar_psykisk_helsehjelp = serializers.BooleanField()
    trenger_psykisk_helsehjelp = serializers.BooleanField()
    mottar_rusbehandling = serializers.BooleanField()
    trenger_rusbehandling = serializers.BooleanField()


class EntryPatchSerializer(serializers.Serializer):
    """A correction: `versjon` and only the columns that change (the rest keep their values)."""

    versjon = serializers.IntegerField(help_text="Versjonen du endrer (fra GET).")
    kommunenummer = serializers.CharField(required=False)
    enhet = serializers.CharField(
        required=False, allow_blank=True, help_text="Kortnavn; tom fjerner enheten."
    )
    fodselsaar = serializers.IntegerField(required=False)
    kjonn = serializers.ChoiceField(choices=["k", "m"], required=False)
    bolig = serializers.ChoiceField(choices=RATINGS, required=False)
    meningsfull_aktivitet = serializers.ChoiceField(choices=RATINGS, required=False)
    okonomi = serializers.ChoiceField(choices=RATINGS, required=False)
    fysisk_helse = serializers.ChoiceField(choices=RATINGS, required=False)
    psykisk_helse = serializers.ChoiceField(choices=RATINGS, required=False)
    rusmiddelbruk = serializers.ChoiceField(choices=RATINGS, required=False)
    sosial_fungering = serializers.ChoiceField(choices=RATINGS, required=False)
    sosialt_nettverk = serializers.ChoiceField(choices=RATINGS, required=False)
    dato = serializers.DateField(required=False)
    fase = serializers.CharField(required=False, allow_blank=True)
    ip = serializers.CharField(required=False, help_text="ja/nei")
    koordinator = serializers.CharField(required=False, help_text="ja/nei")
    lar = serializers.CharField(required=False, help_text="ja/nei")
    barn_under_18 = serializers.CharField(required=False, help_text="ja/nei")
    mottar_botilbud = serializers.CharField(required=False, help_text="ja/nei")
    trenger_botilbud = serializers.CharField(required=False, help_text="ja/nei")
    mottar_aktivitet = serializers.CharField(required=False, help_text="ja/nei")
    trenger_aktivitet = serializers.CharField(required=False, help_text="ja/nei")
    mottar_okonomi = serializers.CharField(required=False, help_text="ja/nei")
    trenger_okonomi = serializers.CharField(required=False, help_text="ja/nei")
    mottar_helsehjelp = serializers.CharField(required=False, help_text="ja/nei")
    trenger_helsehjelp = serializers.CharField(required=False, help_text="ja/nei")
    mottar_psykisk_helsehjelp = serializers.CharField(required=False, help_text="ja/nei")
    trenger_psykisk_helsehjelp = serializers.CharField(required=False, help_text="ja/nei")
    mottar_rusbehandling = serializers.CharField(required=False, help_text="ja/nei")
    trenger_rusbehandling = serializers.CharField(required=False, help_text="ja/nei")


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "Noen andre har endret eller slettet kartleggingen i mellomtiden. Hent den på nytt og prøv igjen."
    )
    default_code = "stale_edit"


PATCH_KEYS = {"versjon", "kommunenummer", "enhet", *ALL_COLUMNS}
SERVICE_FIELD_KEYS = {"municipality": "kommunenummer", "unit": "enhet"}


def entry_data(entry: MappingEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "runde": entry.round_id,
        "versjon": entry.version,
        "kommunenummer": entry.municipality.kommunenummer,
        "enhet": entry.unit.slug if entry.unit else "",
        **entry_columns(entry),
    }


def _bad(errors: dict[str, list[str]]) -> Response:
    return Response(errors, status=status.HTTP_400_BAD_REQUEST)


class EntryDetail(APIView):
    """One registered mapping the actor may see (the same rule as the page; others answer 404).

    PATCH corrects it while the round is open: `versjon` plus the columns that change, validated like a
    new mapping (400 with Norwegian messages per column; 409 when someone changed it in between). DELETE
    removes it while the round is open (`?versjon=` optional). Both are written to the change history.
    """

    permission_classes = [RoundWorker]

    def entry(self, pk: int) -> MappingEntry:
        return access_entry(self.request._request.membership, pk)  # type: ignore[attr-defined]

    @extend_schema(responses={200: EntrySerializer, 404: OpenApiResponse(description="Ikke funnet")})
    def get(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        return Response(entry_data(self.entry(pk)))

    @extend_schema(
        request=EntryPatchSerializer,
        responses={
            200: EntrySerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Feltfeil: {kolonne: [meldinger]}"),
            404: OpenApiResponse(description="Ikke funnet"),
            409: OpenApiResponse(description="Kartleggingen er endret av en annen i mellomtiden"),
        },
    )
    def patch(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        entry = self.entry(pk)
        membership = request._request.membership  # type: ignore[attr-defined]
        data = request.data
        if not isinstance(data, dict):
            return _bad({"non_field_errors": ["Send et JSON-objekt med kolonnene som skal endres."]})
        unknown = sorted(str(key) for key in data if key not in PATCH_KEYS)
        if unknown:
            return _bad({key: ["Ukjent felt. Se kolonnene i dokumentasjonen."] for key in unknown})
        version = str(data.get("versjon", "")).strip()
        if not is_whole_number(version):
            return _bad(
                {"versjon": ["Oppgi versjonen du endrer (et heltall fra GET), for optimistisk låsing."]}
            )
        try:
            municipality = _municipality(data, entry, editable_municipality_ids(membership, entry.round))
            unit = _unit(data, entry, municipality)
        except ValidationError as exc:
            return _bad(exc.message_dict)
        raw = {**entry_columns(entry), **{key: data[key] for key in ALL_COLUMNS if key in data}}
        try:
            updated = services.entry_update(
                actor=membership.user,
                entry=entry,
                raw=raw,
                municipality=municipality,
                unit=unit,
                expected_version=int(version),
            )
        except services.StaleEntryError:
            raise Conflict() from None
        except ValidationError as exc:
            detail = validation_detail(exc)
            return _bad({SERVICE_FIELD_KEYS.get(key, key): value for key, value in detail.items()})
        return Response(
            entry_data(MappingEntry.objects.select_related("municipality", "unit").get(pk=updated.pk))
        )

    @extend_schema(
        parameters=[OpenApiParameter("versjon", int, description="Versjonen du sletter (valgfri)")],
        responses={
            204: None,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Runden er avsluttet"),
            404: OpenApiResponse(description="Ikke funnet"),
            409: OpenApiResponse(description="Kartleggingen er endret av en annen i mellomtiden"),
        },
    )
    def delete(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        entry = self.entry(pk)
        version = str(request.query_params.get("versjon", "")).strip()
        if version and not is_whole_number(version):
            return _bad({"versjon": ["Versjonen må være et heltall."]})
        try:
            services.entry_delete(
                actor=request._request.membership.user,  # type: ignore[attr-defined]
                entry=entry,
                expected_version=int(version) if version else None,
            )
        except services.StaleEntryError:
            raise Conflict() from None
        except ValidationError as exc:
            return _bad(validation_detail(exc))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _municipality(data: dict[str, Any], entry: MappingEntry, allowed: set[int]) -> Organisation:
    """The municipality named by `kommunenummer` (one the actor may correct entries in), else the entry's."""
    if "kommunenummer" not in data:
        return entry.municipality
    knr = str(data.get("kommunenummer") or "").strip().zfill(4)
    municipality = Organisation.objects.filter(
        kind=Organisation.Kind.MUNICIPALITY, kommunenummer=knr, pk__in=allowed
    ).first()
    if municipality is None:
        raise ValidationError({"kommunenummer": ["Ukjent kommunenummer for denne runden."]})
    return municipality


def _unit(data: dict[str, Any], entry: MappingEntry, municipality: Organisation) -> Organisation | None:
    """The unit named by `enhet` (short name or name in the municipality; empty: none), else the entry's."""
    if "enhet" not in data:
        return entry.unit
    ref = str(data.get("enhet") or "").strip()
    if not ref:
        return None
    unit = (
        Organisation.objects.filter(kind=Organisation.Kind.UNIT, parent=municipality)
        .filter(Q(slug__iexact=ref) | Q(name__iexact=ref))
        .first()
    )
    if unit is None:
        raise ValidationError({"enhet": [f"Enheten «{ref[:100]}» finnes ikke i kommunen."]})
    return unit


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
        elif is_whole_number(raw_year) and 2000 <= int(raw_year) <= 2100:
            year = int(raw_year)
        else:
            return Response(
                {"aar": ["Året må være et tall mellom 2000 og 2100, for eksempel 2026."]}, status=400
            )
        return Response(report_to_dict(cached_report(scope, year=year)))
