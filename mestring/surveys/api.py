"""Survey API: the same access rules as the pages; every table is suppressed before it leaves."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mestring.accounts.roles import Perm
from mestring.core.permissions import HasMembershipPerm
from mestring.surveys import access, analysis
from mestring.surveys.analysis import Published
from mestring.surveys.models import INVITATION_STATE_LABELS
from mestring.surveys.views import _status_context


def _table(t: Published) -> dict[str, Any]:
    return {
        "title": t.title,
        "header": t.header,
        "rows": t.rows,
        "notes": list(t.notes),
        "n": t.n,
        "chi2": t.chi2,
    }


class NationalSurveyListView(APIView):
    permission_classes = [HasMembershipPerm]
    required_perm = Perm.SURVEY_NATIONAL_MANAGE

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        membership = request._request.membership  # type: ignore[attr-defined]
        return Response(
            [
                {"slug": s.slug, "title": s.title, "status": s.status, "frame_year": s.frame_year}
                for s in access.visible_national_surveys(membership)
            ]
        )


class NationalSurveyStatusView(APIView):
    """Response tracking. `state` per municipality is one of the keys of `state_counts`; `no_address` means
    the municipality has no contact address and no e-mail has been sent (it counts as invited, not answered).
    `?state=` lists only municipalities in that state."""

    permission_classes = [HasMembershipPerm]
    required_perm = Perm.SURVEY_NATIONAL_MANAGE

    @extend_schema(parameters=[OpenApiParameter("state", str, required=False)], responses={200: dict})
    def get(self, request: Request, slug: str) -> Response:
        membership = request._request.membership  # type: ignore[attr-defined]
        survey = access.access_national_survey(membership, slug)
        state = request.query_params.get("state")
        if state is not None and state not in INVITATION_STATE_LABELS:
            raise serializers.ValidationError(
                {"state": [f"Ukjent status «{state}». Velg en av: {', '.join(INVITATION_STATE_LABELS)}."]}
            )
        context = _status_context(survey, membership, state or "")
        return Response(
            {
                "slug": survey.slug,
                "status": survey.status,
                "total": context["total"],
                "responded": context["responded"],
                "missing_address": context["missing_address"],
                "states": {str(label): n for _key, label, n in context["counts"]},
                "state_counts": {key: n for key, _label, n in context["counts"]},
                "municipalities": [
                    {
                        "kommunenummer": i.kommunenummer,
                        "name": i.name,
                        "state": i.state,
                        "has_address": i.has_address,
                    }
                    for i in context["invitations"]
                ],
            }
        )


class NationalSurveyTablesView(APIView):
    """Representativeness by `?by=` (a group set; default all four) and frequency tables, suppressed."""

    permission_classes = [HasMembershipPerm]
    required_perm = Perm.SURVEY_NATIONAL_MANAGE

    @extend_schema(parameters=[OpenApiParameter("by", str, required=False)], responses={200: dict})
    def get(self, request: Request, slug: str) -> Response:
        from mestring.surveys import engine

        membership = request._request.membership  # type: ignore[attr-defined]
        survey = access.access_national_survey(membership, slug)
        by = request.query_params.get("by")
        sets = dict(analysis.group_sets())
        if by is not None and by not in sets:
            raise serializers.ValidationError(
                {"by": [f"Ukjent gruppering «{by}». Velg en av: {', '.join(sets)}."]}
            )
        slugs = [by] if by else analysis.REPRESENTATIVENESS_SETS
        form = engine.load_form(survey.version)
        datas = [d for _k, d in analysis.submitted_data(survey)]
        return Response(
            {
                "representativeness": [_table(analysis.representativeness(survey, s)) for s in slugs],
                "frequencies": [_table(t) for t in analysis.frequency_tables(form, datas)],
            }
        )


class UnitSurveyResultsView(APIView):
    permission_classes = [HasMembershipPerm]
    required_perm = Perm.AGGREGATE_VIEW

    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        membership = request._request.membership  # type: ignore[attr-defined]
        survey = access.access_unit_survey(membership, pk)
        result = analysis.satisfaction_results(survey)
        return Response(
            {
                "title": survey.title,
                "unit": survey.unit.name,
                "round": result.round_name,
                "answers": result.n if result.enough else None,
                "shown": result.enough,
                "minimum": result.minimum,
                "tables": [_table(t) for t in result.tables],
            }
        )
