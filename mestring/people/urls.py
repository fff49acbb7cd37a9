from django.urls import path
from django.views.decorators.cache import never_cache

from mestring.people import views

app_name = "people"
urlpatterns = [
    path("", never_cache(views.person_list), name="list"),
    path("ny/", never_cache(views.person_create), name="create"),
    path("bryt-glasset/", never_cache(views.break_glass_review), name="break_glass_review"),
    path("<int:pk>/", never_cache(views.person_detail), name="detail"),
    path("<int:pk>/endre/", never_cache(views.person_edit), name="edit"),
    path("<int:pk>/fodselsnummer/", never_cache(views.national_id_fragment), name="national_id"),
    path("<int:pk>/samtykke/", never_cache(views.consents), name="consents"),
    path("<int:pk>/del/", never_cache(views.share), name="share"),
    path("<int:pk>/parorende/", never_cache(views.relatives), name="relatives"),
    path(
        "<int:pk>/parorende/<int:relative_pk>/fjern/",
        never_cache(views.relative_remove),
        name="relative_remove",
    ),
    path("<int:pk>/barn-som-parorende/", never_cache(views.children_routine), name="children_routine"),
    path("<int:pk>/team/", never_cache(views.care_team), name="care_team"),
    path("<int:pk>/historikk/", never_cache(views.history), name="history"),
    path("<int:pk>/avslutt/", never_cache(views.end_followup), name="end"),
    path("<int:pk>/bryt-glasset/", never_cache(views.break_glass), name="break_glass"),
]
