from django.urls import path

from residents import views_rosters as views

# Roster import and export (supervisors and administrators); app_name "residents" (residents/urls.py).
urlpatterns: list = [
    path("rosters/import/", views.roster_import, name="roster_import"),
    path("rosters/import/<int:pk>/", views.roster_import_detail, name="roster_import_detail"),
    path("rosters/import/<int:pk>/confirm/", views.roster_import_confirm, name="roster_import_confirm"),
    path("rosters/import/<int:pk>/discard/", views.roster_import_discard, name="roster_import_discard"),
    path("rosters/import/<int:pk>/report.csv", views.roster_import_report, name="roster_import_report"),
    path("rosters/template.xlsx", views.roster_template, name="roster_template"),
    path("rosters/export/", views.roster_export, name="roster_export"),
]
