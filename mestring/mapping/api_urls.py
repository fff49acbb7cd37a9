from django.urls import path
from rest_framework.routers import SimpleRouter

from mestring.mapping import api

router = SimpleRouter()
router.register("mapping/rounds", api.MappingRoundViewSet, basename="mapping-round")
urlpatterns = [
    *router.urls,
    path("mapping/rounds/<int:pk>/entries/", api.EntryCreate.as_view(), name="mapping-entry-create"),
    path("mapping/entries/<int:pk>/", api.EntryDetail.as_view(), name="mapping-entry-detail"),
    path("mapping/report/", api.ReportView.as_view(), name="mapping-report"),
]
