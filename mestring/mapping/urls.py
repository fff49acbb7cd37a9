from django.urls import path

from mestring.mapping import views

app_name = "mapping"
urlpatterns = [
    path("", views.index, name="index"),
    path("runder/ny/", views.round_create, name="round_create"),
    path("runder/<int:pk>/", views.round_detail, name="round_detail"),
    path("runder/<int:pk>/avslutt/", views.round_close, name="round_close"),
    path("runder/<int:pk>/registrer/", views.entry_create, name="entry_create"),
    path("runder/<int:pk>/kartlegginger/", views.entry_list, name="entry_list"),
    path("kartlegginger/<int:pk>/endre/", views.entry_edit, name="entry_edit"),
    path("kartlegginger/<int:pk>/slett/", views.entry_delete, name="entry_delete"),
    path("runder/<int:pk>/import/", views.import_file, name="import"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("rapport/", views.report, name="report"),
    path("rapport/pdf/", views.report_pdf, name="report_pdf"),
    path("rapport/eksport/<str:fmt>/", views.report_export, name="report_export"),
]
