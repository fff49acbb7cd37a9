from django.urls import URLPattern, URLResolver

app_name = "mapping"
urlpatterns: list[URLPattern | URLResolver] = []
