from django.urls import path

from mestring.followup import views

app_name = "followup"
P = "person/<int:person_id>/"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("fact-tavle/", views.board, name="board"),
    path("fact-tavle/_tavle/", views.board_fragment, name="board_fragment"),
    path("fact-tavle/ny/", views.board_add, name="board_add"),
    path("fact-tavle/<int:entry_id>/fjern/", views.board_remove, name="board_remove"),
    path("instrumenter/", views.instruments, name="instruments"),
    path("instrumenter/ny/", views.instrument_create, name="instrument_create"),
    path(P, views.person_page, name="person"),
    path(P + "forlop/ny/", views.episode_create, name="episode_create"),
    path(P + "forlop/<int:episode_id>/", views.episode_edit, name="episode_edit"),
    path(P + "koordinator/", views.coordinator, name="coordinator"),
    path(P + "henvisninger/ny/", views.referral_create, name="referral_create"),
    path(P + "henvisninger/<int:referral_id>/", views.referral_edit, name="referral_edit"),
    path(P + "mal/", views.goals, name="goals"),
    path(P + "mal/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path(P + "mal/<int:goal_id>/vurdering/", views.goal_rate, name="goal_rate"),
    path(P + "kartlegging/", views.mapping, name="mapping"),
    path(P + "kartlegging/ny/", views.mapping_create, name="mapping_create"),
    path(P + "plan/", views.plan, name="plan"),
    path(P + "plan/rediger/", views.plan_edit, name="plan_edit"),
    path(P + "plan/takk-nei/", views.plan_decline, name="plan_decline"),
    path(P + "plan/endringer/", views.plan_diff_view, name="plan_diff"),
    path(P + "plan/pdf/", views.plan_pdf_view, name="plan_pdf"),
    path(P + "plan/versjon/<int:number>/", views.plan_version, name="plan_version"),
    path(P + "tiltak/ny/", views.measure_create, name="measure_create"),
    path(P + "tiltak/<int:measure_id>/", views.measure_edit, name="measure_edit"),
    path(P + "ansvarsgruppe/", views.care_team, name="care_team"),
    path(P + "ansvarsgruppe/<int:member_id>/avslutt/", views.care_team_end, name="care_team_end"),
    path(P + "motter/ny/", views.meeting_create, name="meeting_create"),
    path(P + "motter/<int:meeting_id>/", views.meeting, name="meeting"),
    path(P + "motter/<int:meeting_id>/beslutning/", views.decision_add, name="decision_add"),
    path(P + "kriseplan/", views.crisis_plan, name="crisis_plan"),
    path(P + "kriseplan/rediger/", views.crisis_plan_edit, name="crisis_plan_edit"),
    path(P + "tilbakemelding/", views.feedback_view, name="feedback"),
    path(P + "tilbakemelding/<slug:slug>/", views.feedback_answer, name="feedback_answer"),
    path(P + "paminnelser/<int:reminder_id>/ferdig/", views.reminder_done, name="reminder_done"),
]
