from django.urls import path

from mestring.stats import api

urlpatterns = [
    path("stats/jobs/<int:pk>/", api.ReportJobDetail.as_view(), name="stats-job-detail"),
]
