from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from mestring.followup import api

PERSON = r"followup/persons/(?P<person_id>[0-9]+)"
router = SimpleRouter()
router.register(f"{PERSON}/episodes", api.EpisodeViewSet, basename="followup-episode")
router.register(f"{PERSON}/goals", api.GoalViewSet, basename="followup-goal")
router.register(f"{PERSON}/measures", api.MeasureViewSet, basename="followup-measure")
router.register(f"{PERSON}/meetings", api.MeetingViewSet, basename="followup-meeting")
router.register(f"{PERSON}/feedback-scores", api.FeedbackScoreViewSet, basename="followup-feedback-score")
router.register("followup/instruments", api.InstrumentViewSet, basename="followup-instrument")

urlpatterns: list[URLPattern | URLResolver] = [
    path("followup/persons/<int:person_id>/plan/", api.PlanView.as_view(), name="followup-plan"),
    path(
        "followup/persons/<int:person_id>/plan/diff/", api.PlanDiffView.as_view(), name="followup-plan-diff"
    ),
    path("followup/persons/<int:person_id>/fhir/", api.FhirView.as_view(), name="followup-fhir"),
    *router.urls,
]
