"""JSON API for follow-up: episodes, goals, plan, measures, meetings and feedback scores of one person.

Every route is under `followup/persons/<person_id>/…`; each request calls `access_person` exactly once
(same tjenstlig-behov rule and access log as the pages; writes need `followup.edit`). Writes go through
the services; bad input answers 400 with field errors, a stale `version` answers 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mestring.accounts.models import User
from mestring.accounts.roles import Perm
from mestring.core.forms import validation_detail
from mestring.core.permissions import HasMembershipPerm
from mestring.followup import services
from mestring.followup.models import (
    Decision,
    Episode,
    FeedbackScore,
    Goal,
    IndividualPlan,
    Instrument,
    InstrumentItem,
    Measure,
    Meeting,
    PlanVersion,
    Referral,
)
from mestring.mapping.areas import AREA_CODES, Phase
from mestring.organisations.models import Organisation
from mestring.people.access import access_person
from mestring.people.models import Person


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Noen andre har lagret endringer i mellomtiden. Hent siste versjon og prøv igjen."
    default_code = "stale_edit"


def _service(call: Any, **kwargs: Any) -> Any:
    """Run a service; stale versions become 409 (other validation errors become 400 in the handler)."""
    try:
        return call(**kwargs)
    except services.StaleEditError:
        raise Conflict() from None
    except DjangoValidationError as exc:
        raise serializers.ValidationError(validation_detail(exc)) from None


class PersonScoped(APIView):
    """Base: the person from the URL, through `access_person` once per request."""

    permission_classes = [HasMembershipPerm]
    required_perm = Perm.PERSON_VIEW
    what = "API"

    def person(self) -> Person:
        cached = getattr(self, "_person", None)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        edit = self.request.method not in ("GET", "HEAD", "OPTIONS")
        try:
            person = access_person(
                request=self.request._request,
                person_id=self.kwargs["person_id"],
                what=f"API: {self.what}",
                perm=Perm.FOLLOWUP_EDIT if edit else Perm.PERSON_VIEW,
            )
        except Http404:
            # One answer whether the person does not exist or is not yours to see (no existence oracle).
            raise NotFound(_("Fant ikke personen.")) from None
        self._person = person
        return person

    @property
    def membership(self) -> Any:
        return self.request._request.membership  # type: ignore[attr-defined]


# --- Episodes ---------------------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    waiting_days = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "direction",
            "agency",
            "agency_name",
            "reason",
            "status",
            "referred_on",
            "answered_on",
            "started_on",
            "waiting_days",
        ]

    def get_waiting_days(self, obj: Referral) -> int | None:
        return obj.waiting_days()


class EpisodeSerializer(serializers.ModelSerializer):
    phase = serializers.ChoiceField(choices=Phase.choices)
    units: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    coordinator: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    referrals = ReferralSerializer(many=True, read_only=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Episode
        fields = [
            "id",
            "phase",
            "started_on",
            "ended_on",
            "units",
            "coordinator",
            "coordinator_since",
            "note",
            "referrals",
            "version",
        ]
        read_only_fields = ["coordinator_since"]


class NorwegianNotFound:
    """An unknown id (or another person's record) answers 404 in Norwegian, not Django's English
    "No Episode matches the given query."."""

    def get_object(self) -> Any:
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            raise NotFound(_("Fant ikke posten.")) from None


class PersonRecordAppendViewSet(
    NorwegianNotFound,
    PersonScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read and add records under one person (nothing is changed or deleted through the API)."""

    lookup_value_regex = r"\d+"  # ids are integers (also types the path parameter in the schema)


class PersonRecordViewSet(mixins.UpdateModelMixin, PersonRecordAppendViewSet):
    """List, read, add and update records under one person."""


class EpisodeViewSet(PersonRecordViewSet):
    """A person's follow-up episodes (pathway, phase, units, coordinator, referrals)."""

    serializer_class = EpisodeSerializer
    what = "forløp"

    def get_queryset(self) -> QuerySet[Episode]:
        return (
            Episode.objects.filter(person=self.person())
            .select_related("coordinator")
            .prefetch_related("units", "referrals")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        if data.get("ended_on") is not None:
            # Not silently dropped: an episode is started open and ended by an update.
            raise serializers.ValidationError(
                {"ended_on": [_("Et nytt forløp kan ikke ha sluttdato. Avslutt forløpet ved å endre det.")]}
            )
        serializer.instance = _service(
            services.episode_start,
            actor=self.membership,
            person=self.person(),
            phase=data["phase"],
            started_on=data.get("started_on"),
            note=data.get("note", ""),
        )

    def perform_update(self, serializer: Any) -> None:
        episode = serializer.instance
        data = serializer.validated_data
        if "version" not in data:
            raise serializers.ValidationError(
                {"version": ["Oppgi versjonen du endrer (optimistisk låsing)."]}
            )
        serializer.instance = _service(
            services.episode_update,
            actor=self.membership,
            episode=episode,
            expected_version=data["version"],
            phase=data.get("phase", episode.phase),
            started_on=data.get("started_on", episode.started_on),
            ended_on=data.get("ended_on", episode.ended_on),
            units=list(episode.units.all()),
            note=data.get("note", episode.note),
        )


# --- Goals ------------------------------------------------------------------------------------------


class GoalSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Goal.objects.all(), required=False, allow_null=True
    )
    area = serializers.ChoiceField(choices=[("", ""), *[(c, c) for c in AREA_CODES]], required=False)

    class Meta:
        model = Goal
        fields = ["id", "text", "parent", "area", "status", "created_on"]
        read_only_fields = ["created_on"]


class GoalViewSet(PersonRecordViewSet):
    """The person's own goals ("Hva er viktig for deg?") and sub-goals."""

    serializer_class = GoalSerializer
    what = "mål"

    def get_queryset(self) -> QuerySet[Goal]:
        return Goal.objects.filter(person=self.person())

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = _service(
            services.goal_create,
            actor=self.membership,
            person=self.person(),
            text=data["text"],
            parent=data.get("parent"),
            area=data.get("area", ""),
        )

    def perform_update(self, serializer: Any) -> None:
        goal = serializer.instance
        data = serializer.validated_data
        serializer.instance = _service(
            services.goal_update,
            actor=self.membership,
            goal=goal,
            text=data.get("text", goal.text),
            status=data.get("status", goal.status),
            area=data.get("area", goal.area),
        )


# --- Measures ---------------------------------------------------------------------------------------


class MeasureSerializer(serializers.ModelSerializer):
    goal = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Measure
        fields = [
            "id",
            "title",
            "goal",
            "responsible",
            "extent",
            "how",
            "start_on",
            "end_on",
            "status",
            "version",
        ]


class MeasureViewSet(PersonRecordViewSet):
    """Measures (tiltak): responsible, extent, how, period, status. Updates need the current `version`."""

    serializer_class = MeasureSerializer
    what = "tiltak"

    def get_queryset(self) -> QuerySet[Measure]:
        return Measure.objects.filter(person=self.person())

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = _service(
            services.measure_create, actor=self.membership, person=self.person(), **data
        )

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        if "version" not in data:
            raise serializers.ValidationError(
                {"version": ["Oppgi versjonen du endrer (optimistisk låsing)."]}
            )
        expected = data.pop("version")
        serializer.instance = _service(
            services.measure_update,
            actor=self.membership,
            measure=serializer.instance,
            expected_version=expected,
            **data,
        )


# --- Meetings ---------------------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "text", "measure", "action"]


class MeetingSerializer(serializers.ModelSerializer):
    decisions = DecisionSerializer(many=True, read_only=True)
    present = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "starts_at",
            "place",
            "agenda",
            "minutes",
            "status",
            "next_meeting_on",
            "present",
            "decisions",
            "version",
        ]
        read_only_fields = ["minutes", "status", "next_meeting_on", "version"]

    def get_present(self, obj: Meeting) -> list[str]:
        return [a.member.name for a in obj.attendance.all() if a.present]


class MeetingViewSet(PersonRecordAppendViewSet):
    """Care-team meetings with attendance and decisions."""

    serializer_class = MeetingSerializer
    what = "møter"

    def get_queryset(self) -> QuerySet[Meeting]:
        return Meeting.objects.filter(person=self.person()).prefetch_related(
            "decisions", "attendance__member"
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = _service(
            services.meeting_create,
            actor=self.membership,
            person=self.person(),
            starts_at=data["starts_at"],
            place=data.get("place", ""),
            agenda=data.get("agenda", ""),
        )


# --- Feedback ---------------------------------------------------------------------------------------


class FeedbackScoreSerializer(serializers.ModelSerializer):
    instrument = serializers.SlugRelatedField(
        slug_field="slug", queryset=Instrument.objects.filter(is_active=True)
    )
    values = serializers.ListField(child=serializers.IntegerField(), write_only=True)

    class Meta:
        model = FeedbackScore
        fields = ["id", "instrument", "answered_on", "score", "off_track", "note", "values"]
        read_only_fields = ["score", "off_track"]


class FeedbackScoreViewSet(PersonRecordAppendViewSet):
    """Feedback scores per session; `values` (one per item) are scored by the instrument on create."""

    serializer_class = FeedbackScoreSerializer
    what = "tilbakemelding"

    def get_queryset(self) -> QuerySet[FeedbackScore]:
        return FeedbackScore.objects.filter(person=self.person()).select_related("instrument")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = _service(
            services.feedback_record,
            actor=self.membership,
            person=self.person(),
            instrument=data["instrument"],
            values=data["values"],
            answered_on=data.get("answered_on"),
            note=data.get("note", ""),
        )


class InstrumentItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstrumentItem
        fields = ["id", "order", "text"]


class InstrumentSerializer(serializers.ModelSerializer):
    items = InstrumentItemSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "name",
            "description",
            "purpose",
            "scale_min",
            "scale_max",
            "low_label",
            "high_label",
            "scoring",
            "expected_gain_per_session",
            "expected_gain_max",
            "band_width",
            "alert_below",
            "is_active",
            "items",
        ]


class InstrumentViewSet(NorwegianNotFound, viewsets.ReadOnlyModelViewSet):
    """Feedback instruments (no person data)."""

    serializer_class = InstrumentSerializer
    permission_classes = [HasMembershipPerm]
    required_perm = Perm.PERSON_VIEW
    lookup_field = "slug"
    queryset = Instrument.objects.prefetch_related("items").order_by("purpose", "name")


# --- Individual plan --------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndividualPlan
        fields = [
            "status",
            "resources",
            "needs",
            "participants",
            "person_participated",
            "time_perspective",
            "next_review_on",
            "consent_to_share",
            "consent_note",
            "rights_informed",
            "declined_on",
            "decline_reason",
            "version",
        ]
        read_only_fields = ["status", "declined_on", "decline_reason", "version"]


class PlanWriteSerializer(PlanSerializer):
    version = serializers.IntegerField(min_value=0)
    change_note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    next_review_on = serializers.DateField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "change_note"]
        read_only_fields = ["status", "declined_on", "decline_reason"]


class PlanVersionSerializer(serializers.ModelSerializer):
    saved_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = PlanVersion
        fields = ["number", "saved_at", "saved_by", "change_note", "snapshot"]


class PlanView(PersonScoped):
    """GET: the individual plan with its versions (newest first). PUT: save a new version (`version` = the
    version you edited; 0 for a new plan)."""

    what = "individuell plan"
    serializer_class = PlanWriteSerializer

    def get(self, request: Request, person_id: int) -> Response:
        person = self.person()
        plan = IndividualPlan.objects.filter(person=person).first()
        if plan is None:
            raise NotFound(_("Personen har ingen individuell plan ennå."))
        data: dict[str, Any] = dict(PlanSerializer(plan).data)
        data["versions"] = PlanVersionSerializer(plan.versions.select_related("saved_by"), many=True).data
        return Response(data)

    def put(self, request: Request, person_id: int) -> Response:
        person = self.person()
        serializer = PlanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = data.pop("version")
        change_note = data.pop("change_note", "")
        version = _service(
            services.plan_save,
            actor=self.membership,
            person=person,
            expected_version=expected,
            change_note=change_note,
            **data,
        )
        plan = IndividualPlan.objects.get(pk=version.plan_id)
        return Response(PlanSerializer(plan).data, status=status.HTTP_200_OK)


class PlanDiffView(PersonScoped):
    """What changed between two plan versions: `?from=1&to=2` (default: the newest and the one before)."""

    what = "endringer i plan"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", int, description="Versjon å sammenligne fra (standard: den nest nyeste)."
            ),
            OpenApiParameter("to", int, description="Versjon å sammenligne til (standard: den nyeste)."),
        ],
        responses=inline_serializer(
            "PlanDiff",
            {
                "from": serializers.IntegerField(),
                "to": serializers.IntegerField(),
                "fields": serializers.ListField(child=serializers.DictField()),
                "lists": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request, person_id: int) -> Response:
        from mestring.followup.diff import plan_diff

        person = self.person()
        numbers = sorted(PlanVersion.objects.filter(plan__person=person).values_list("number", flat=True))
        if not numbers:
            raise NotFound(_("Personen har ingen individuell plan ennå."))
        errors = {}
        picked = {}
        for key, default in (("to", numbers[-1]), ("from", numbers[-2] if len(numbers) > 1 else numbers[-1])):
            raw = request.query_params.get(key, str(default))
            if not raw.isdigit() or int(raw) not in numbers:
                errors[key] = [f"Velg en versjon som finnes: {', '.join(map(str, numbers))}."]
            else:
                picked[key] = int(raw)
        if errors:
            raise serializers.ValidationError(errors)
        versions = {
            v.number: v for v in PlanVersion.objects.filter(plan__person=person, number__in=picked.values())
        }
        diff = plan_diff(versions[picked["from"]].snapshot, versions[picked["to"]].snapshot)
        return Response(
            {
                "from": picked["from"],
                "to": picked["to"],
                "fields": [{"field": str(c.label), "old": c.old, "new": c.new} for c in diff.fields],
                "lists": [
                    {
                        "list": str(lst.label),
                        "items": [
                            {
                                "change": item.kind,
                                "title": item.title,
                                "details": [
                                    {"field": str(d.label), "old": d.old, "new": d.new} for d in item.details
                                ],
                            }
                            for item in lst.items
                        ],
                    }
                    for lst in diff.lists
                ],
            }
        )


class FhirView(PersonScoped):
    """The person's follow-up as a FHIR R4B Bundle: CarePlan (measures as activities), Goals and CareTeam."""

    what = "FHIR-eksport"

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, description="A FHIR R4B Bundle (JSON).")
    def get(self, request: Request, person_id: int) -> Response:
        from mestring.followup.fhir import careplan_bundle

        return Response(careplan_bundle(self.person()))
