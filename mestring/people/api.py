"""Person API: list, detail, create, update. Same access rules and logging as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.audit.services import log_access_many
from mestring.core.permissions import HasMembershipPerm
from mestring.organisations.models import Organisation
from mestring.people import selectors, services
from mestring.people.access import access_person
from mestring.people.fnr import validate_fodselsnummer
from mestring.people.models import Gender, Person


class PersonSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    )
    unit = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.UNIT, is_active=True),
        required=False,
        allow_null=True,
        write_only=True,
    )
    national_id = serializers.CharField(required=False, allow_blank=True, max_length=20)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Person
        fields = [
            "id",
            "organisation",
            "unit",
            "first_name",
            "last_name",
            "national_id",
            "birth_date",
            "birth_year",
            "gender",
            "phone",
            "email",
            "address",
            "preferred_meeting_places",
            "interpreter_needed",
            "interpreter_language",
            "confidential_address",
            "children_routine",
            "children_followup_offered",
            "status",
            "ended_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "birth_date",
            "children_routine",
            "children_followup_offered",
            "status",
            "ended_at",
            "created_at",
            "updated_at",
        ]

    def validate_national_id(self, value: str) -> str:
        value = (value or "").strip()
        if not value:
            return ""
        try:
            return validate_fodselsnummer(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def to_representation(self, instance: Person) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["national_id"] = instance.national_id if self.context.get("with_national_id") else None
        data["has_national_id"] = instance.has_national_id
        return data


class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Persons the active membership has tjenstlig behov for. Others answer 404; every read is logged.

    List: `?q=` searches name, birth year or an exact fødselsnummer. Update needs the `version` you read
    (optimistic locking); a stale version answers 409 and nothing is written.
    """

    serializer_class = PersonSerializer
    permission_classes = [HasMembershipPerm]
    required_perm = Perm.PERSON_VIEW
    queryset = Person.objects.none()

    def _membership(self) -> Membership:
        return self.request._request.membership  # type: ignore[attr-defined, no-any-return]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    def get_queryset(self) -> QuerySet[Person]:
        queryset = selectors.persons_for(self._membership())
        return selectors.search(queryset, self.request.query_params.get("q", "")[:100])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        persons = list(page if page is not None else queryset)
        log_access_many(
            user=request.user,  # type: ignore[arg-type]
            membership=self._membership(),
            persons=persons,
            what="API: personliste",
            purpose="oversikt",
        )
        data = self.get_serializer(persons, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def get_object(self) -> Person:
        return access_person(
            request=self.request._request,
            person_id=self.kwargs["pk"],
            what="API: detalj" if self.request.method == "GET" else "API: endre",
            perm=Perm.PERSON_VIEW if self.request.method == "GET" else Perm.PERSON_EDIT,
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        return Response(self.get_serializer(person, context={"with_national_id": True}).data)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        context = kwargs.pop("context", {})
        kwargs["context"] = {**self.get_serializer_context(), **context}
        return self.serializer_class(*args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self._membership()
        if not membership.can(Perm.PERSON_EDIT):
            return Response({"detail": _("Rollen din kan ikke registrere personer.")}, status=403)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        person = services.person_create(actor=membership, **data)
        return Response(
            self.get_serializer(person, context={"with_national_id": True}).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        serializer = self.get_serializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = request.data.get("version") if isinstance(request.data, dict) else None
        if version is None or not str(version).isdigit():
            raise serializers.ValidationError(
                {"version": [_("Oppgi versjonen du leste (optimistisk låsing).")]}
            )
        for key in ("organisation", "unit", "version"):
            data.pop(key, None)
        national_id = data.pop("national_id", None)
        try:
            person = services.person_update(
                actor=self._membership(),
                person=person,
                expected_version=int(version),
                national_id=national_id or None,
                **data,
            )
        except services.ConcurrentEditError as exc:
            return Response({"detail": exc.messages[0], "code": "concurrent_edit"}, status=409)
        return Response(self.get_serializer(person, context={"with_national_id": True}).data)
