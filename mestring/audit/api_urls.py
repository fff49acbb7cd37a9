from django.urls import path

from mestring.audit import api

urlpatterns = [
    path("persons/<int:pk>/access-log/", api.PersonAccessLogView.as_view(), name="person-access-log"),
]
