"""All API routes under /api/v1/. Each app adds its own router here."""

from django.urls import include, path

urlpatterns = [
    path("", include("mestring.organisations.api_urls")),
    path("", include("mestring.accounts.api_urls")),
    path("", include("mestring.audit.api_urls")),
    path("", include("mestring.people.api_urls")),
    path("", include("mestring.followup.api_urls")),
    path("", include("mestring.stats.api_urls")),
    path("", include("mestring.mapping.api_urls")),
    path("", include("mestring.surveys.api_urls")),
]
