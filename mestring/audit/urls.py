from django.urls import path
from django.views.decorators.cache import never_cache

from mestring.audit import views

app_name = "audit"
urlpatterns = [
    path("administrasjon/", never_cache(views.admin_log), name="admin_log"),
    path("person/<int:pk>/", never_cache(views.innsyn), name="innsyn"),
    path("person/<int:pk>/innsyn.json", never_cache(views.innsyn_json), name="innsyn_json"),
    path("person/<int:pk>/innsyn.pdf", never_cache(views.innsyn_pdf), name="innsyn_pdf"),
]
