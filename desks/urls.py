from django.urls import path

from desks.views import households, routes, screenings, sessions

app_name = "desks"
urlpatterns = [
    path("", sessions.calendar, name="calendar"),
    path("sessions/new/", sessions.session_create, name="session_create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<int:pk>/open/", sessions.session_open, name="session_open"),
    path("sessions/<int:pk>/close/", sessions.session_close, name="session_close"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/walk-up/", sessions.session_walk_up, name="session_walk_up"),
    path("sessions/<int:pk>/notes/", sessions.session_notes, name="session_notes"),
    path("sessions/<int:pk>/sheet/", sessions.session_sheet, name="session_sheet"),
    path("sessions/<int:pk>/serve/", sessions.session_serve, name="session_serve"),
    path("sessions/<int:pk>/screenings/new/", screenings.screening_create, name="screening_create"),
    path("residents/<int:pk>/screenings/", screenings.resident_screenings, name="resident_screenings"),
    path("sessions/<int:pk>/hours/", households.session_hours, name="session_hours"),
    path("households/", households.my_households, name="households"),
    path("households/links/", households.household_links, name="household_links"),
    path("households/links/<int:pk>/end/", households.household_link_end, name="household_link_end"),
    path("residents/<int:pk>/households/", households.resident_households, name="resident_households"),
    path("hours/", households.my_hours, name="hours"),
    path("hours/team/", households.team_hours, name="team_hours"),
    path("routes/", routes.route_list, name="route_list"),
    path("routes/new/", routes.route_create, name="route_create"),
    path("routes/<int:pk>/", routes.route_detail, name="route_detail"),
    path("routes/<int:pk>/edit/", routes.route_edit, name="route_edit"),
    path("routes/<int:pk>/generate/", routes.route_generate, name="route_generate"),
    path("stops/", routes.stop_list, name="stop_list"),
    path("stops/new/", routes.stop_create, name="stop_create"),
    path("stops/<int:pk>/edit/", routes.stop_edit, name="stop_edit"),
]
