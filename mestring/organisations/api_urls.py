from rest_framework.routers import SimpleRouter

from mestring.organisations import api

router = SimpleRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("municipality-frame", api.MunicipalityFrameViewSet, basename="municipality-frame")
urlpatterns = router.urls
