from django.urls import path

from requests.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("communities/", views.communities, name="communities"),
    path("report/", views.monthly_report, name="report"),
]
