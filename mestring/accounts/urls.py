from django.urls import path

from mestring.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logg-inn/", views.LoginView.as_view(), name="login"),
    path("logg-ut/", views.LogoutView.as_view(), name="logout"),
    path("bytt-organisasjon/", views.switch_organisation, name="switch"),
    path("tofaktor/", views.otp_verify, name="otp_verify"),
    path("tofaktor/oppsett/", views.otp_setup, name="otp_setup"),
]
