from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", include("mestring.core.urls")),
    path("konto/", include("mestring.accounts.urls")),
    path("organisasjon/", include("mestring.organisations.urls")),
    path("personer/", include("mestring.people.urls")),
    path("logg/", include("mestring.audit.urls")),
    path("oppfolging/", include("mestring.followup.urls")),
    path("kartlegging/", include("mestring.mapping.urls")),
    path("statistikk/", include("mestring.stats.urls")),
    path("undersokelser/", include("mestring.surveys.urls")),
    path("api/v1/", include("mestring.core.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
