from django.urls import path

from mestring.accounts import staff, views

app_name = "accounts"
urlpatterns = [
    path("logg-inn/", views.LoginView.as_view(), name="login"),
    path("logg-ut/", views.LogoutView.as_view(), name="logout"),
    path("bytt-organisasjon/", views.switch_organisation, name="switch"),
    path("tofaktor/", views.otp_verify, name="otp_verify"),
    path("tofaktor/oppsett/", views.otp_setup, name="otp_setup"),
    # Before the link pattern: "glemt/sendt/" would otherwise read as a uid and a token.
    path("passord/glemt/", views.password_reset, name="password_reset"),
    path("passord/glemt/sendt/", views.password_reset_sent, name="password_reset_sent"),
    path("passord/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("passord/ferdig/", views.PasswordSetDoneView.as_view(), name="password_set_done"),
    path("ansatte/", staff.staff_list, name="staff_list"),
    path("ansatte/ny/", staff.staff_add, name="staff_add"),
    path("ansatte/<int:pk>/avslutt/", staff.membership_end, name="membership_end"),
    path("ansatte/<int:pk>/endre-rolle/", staff.membership_change, name="membership_change"),
    path("ansatte/<int:pk>/ny-lenke/", staff.password_link_send, name="password_link_send"),
]
