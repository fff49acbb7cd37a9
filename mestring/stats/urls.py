from django.urls import path

from mestring.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.index, name="index"),
    path("jobber/<int:pk>/", views.job_status, name="job_status"),
    path("jobber/<int:pk>/last-ned/", views.job_download, name="job_download"),
]
