from django.urls import URLPattern, URLResolver, path

from mestring.surveys import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/national/", api.NationalSurveyListView.as_view(), name="survey-national-list"),
    path(
        "surveys/national/<slug:slug>/status/",
        api.NationalSurveyStatusView.as_view(),
        name="survey-national-status",
    ),
    path(
        "surveys/national/<slug:slug>/tables/",
        api.NationalSurveyTablesView.as_view(),
        name="survey-national-tables",
    ),
    path("surveys/unit/<int:pk>/results/", api.UnitSurveyResultsView.as_view(), name="survey-unit-results"),
]
