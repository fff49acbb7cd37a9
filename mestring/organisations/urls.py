from django.urls import path

from mestring.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("kommuner/", views.frame_list, name="frame_list"),
    path("kommuner/import/", views.frame_import, name="frame_import"),
    path("kommuner/import/<int:pk>/", views.frame_import_job, name="frame_import_job"),
    path("grupperinger/", views.group_set_list, name="group_set_list"),
    path("grupperinger/ny/", views.group_set_create, name="group_set_create"),
    path("grupperinger/<slug:slug>/", views.group_set_detail, name="group_set_detail"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/enheter/ny/", views.unit_create, name="unit_create"),
    path("<slug:slug>/medlemmer/ny/", views.cooperation_member_add, name="cooperation_member_add"),
    path("<slug:slug>/styringsgruppe/ny/", views.steering_seat_add, name="steering_seat_add"),
    path("<slug:slug>/endre/", views.unit_update, name="unit_update"),
    path("<slug:slug>/legg-ned/", views.unit_close, name="unit_close"),
    path(
        "<slug:slug>/medlemmer/<int:pk>/avslutt/", views.cooperation_member_end, name="cooperation_member_end"
    ),
    path(
        "<slug:slug>/styringsgruppe/<int:pk>/fjern/", views.steering_seat_remove, name="steering_seat_remove"
    ),
    path("<slug:slug>/avtale/", views.cooperation_agreement_update, name="cooperation_agreement_update"),
]
