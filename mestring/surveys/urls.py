from django.urls import path

from mestring.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.home, name="home"),
    # Authoring
    path("skjema/", views.questionnaire_list, name="questionnaire_list"),
    path("skjema/nytt/", views.questionnaire_create, name="questionnaire_create"),
    path("skjema/importer/", views.xlsform_import, name="xlsform_import"),
    path("skjema/<slug:slug>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("skjema/<slug:slug>/del/", views.section_add, name="section_add"),
    path("skjema/<slug:slug>/sporsmal/", views.question_add, name="question_add"),
    path("skjema/<slug:slug>/sporsmal/<int:pk>/endre/", views.question_edit, name="question_edit"),
    path("skjema/<slug:slug>/sporsmal/<int:pk>/slett/", views.question_delete, name="question_delete"),
    path("skjema/<slug:slug>/sporsmal/<int:pk>/flytt/", views.question_move, name="question_move"),
    path("skjema/<slug:slug>/del/<int:pk>/endre/", views.section_edit, name="section_edit"),
    path("skjema/<slug:slug>/del/<int:pk>/slett/", views.section_delete, name="section_delete"),
    path("skjema/<slug:slug>/del/<int:pk>/flytt/", views.section_move, name="section_move"),
    path("skjema/<slug:slug>/publiser/", views.version_publish, name="version_publish"),
    path("skjema/<slug:slug>/ny-versjon/", views.version_new, name="version_new"),
    path("skjema/<slug:slug>/kopi/", views.questionnaire_copy, name="questionnaire_copy"),
    path("skjema/<slug:slug>/xlsform/", views.xlsform_export, name="xlsform_export"),
    # Respondent pages: no login
    path("svar/<str:token>/", views.respond, name="respond"),
    path("svar/<str:token>/takk/", views.respond_done, name="respond_done"),
    path("u/<str:code>/", views.unit_form, name="unit_form"),
    path("u/<str:code>/kiosk/", views.unit_kiosk, name="unit_kiosk"),
    path("u/<str:code>/takk/", views.unit_thanks, name="unit_thanks"),
    # Unit satisfaction surveys
    path("brukerundersokelser/", views.unit_survey_list, name="unit_survey_list"),
    path("brukerundersokelser/ny/", views.unit_survey_create, name="unit_survey_create"),
    path("brukerundersokelser/<int:pk>/", views.unit_survey_detail, name="unit_survey_detail"),
    path("brukerundersokelser/<int:pk>/runde/", views.unit_survey_round, name="unit_survey_round"),
    path("brukerundersokelser/<int:pk>/resultater/", views.unit_survey_results, name="unit_survey_results"),
    path(
        "brukerundersokelser/<int:pk>/resultater/<str:fmt>/",
        views.unit_survey_results_export,
        name="unit_survey_results_export",
    ),
    # National surveys
    path("nasjonale/", views.national_list, name="national_list"),
    path("nasjonale/ny/", views.national_create, name="national_create"),
    path("nasjonale/<slug:slug>/", views.national_detail, name="national_detail"),
    path("nasjonale/<slug:slug>/status/", views.national_status, name="national_status"),
    path(
        "nasjonale/<slug:slug>/kommuner/<str:kommunenummer>/", views.invitation_edit, name="invitation_edit"
    ),
    path("nasjonale/<slug:slug>/adresser/", views.invitation_addresses, name="invitation_addresses"),
    path("nasjonale/<slug:slug>/send/", views.national_send, name="national_send"),
    path("nasjonale/<slug:slug>/pamin/", views.national_remind, name="national_remind"),
    path("nasjonale/<slug:slug>/avslutt/", views.national_close, name="national_close"),
    path("nasjonale/<slug:slug>/gjenapne/", views.national_reopen, name="national_reopen"),
    path("nasjonale/<slug:slug>/analyse/", views.national_analysis, name="national_analysis"),
    path("nasjonale/<slug:slug>/krysstabell/", views.national_crosstab, name="national_crosstab"),
    path("nasjonale/<slug:slug>/apne-svar/", views.national_open_answers, name="national_open_answers"),
    path("nasjonale/<slug:slug>/eksport/<str:fmt>/", views.national_export, name="national_export"),
    path(
        "nasjonale/<slug:slug>/tabeller/<str:fmt>/",
        views.national_tables_export,
        name="national_tables_export",
    ),
]
