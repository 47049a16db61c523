"""The public status page, mounted at /s/ in config/urls.py (no login: residents have no account)."""

from django.urls import path

from requests.views import public

app_name = "request_status"
urlpatterns = [
    path("<str:reference>/", public.status_page, name="page"),
]
