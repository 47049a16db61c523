from django.urls import path

from requests.views import detail, inbox, intake, lists, receipt, screenings, visits

app_name = "requests"
urlpatterns = [
    path("", lists.request_list, name="list"),
    path("mine/", lists.my_requests, name="mine"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read/", inbox.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:item_id>/", inbox.inbox_open, name="inbox_open"),
    path("new/", intake.intake, name="create"),
    path("new/handler/", intake.intake_handler, name="intake_handler"),
    path("sessions/<int:session_id>/", lists.session_requests, name="session_requests"),
    path("sessions/<int:session_id>/sheet/", lists.session_sheet_requests, name="session_sheet_requests"),
    path("residents/<int:resident_id>/", lists.resident_requests, name="resident_requests"),
    path("visits/new/", visits.visit_create, name="visit_create"),
    path("screenings/<int:pk>/follow-up/", screenings.screening_follow_up, name="screening_follow_up"),
    path("<str:reference>/", detail.detail, name="detail"),
    path("<str:reference>/logged/", intake.logged, name="logged"),
    path("<str:reference>/receipt/<slug:size>/", receipt.receipt_print, name="receipt_print"),
    path("<str:reference>/pickup-code/", receipt.new_pickup_code, name="new_pickup_code"),
    path("<str:reference>/act/<slug:action>/", detail.act, name="act"),
    path("<str:reference>/photos/<int:photo_id>/", detail.photo, name="photo"),
]
