from django.urls import path

from residents import views
from residents.sms import views as sms_views

# The directory, search, resident page, add / edit, anonymise and the access log.
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("search/", views.resident_search, name="search"),
    path("new/", views.resident_create, name="create"),
    path("access-log/", views.access_log, name="access_log"),
    path("sms/", sms_views.outbox, name="sms_outbox"),
    path("sms/<int:pk>/resend/", sms_views.resend, name="sms_resend"),
    path("<int:pk>/", views.resident_detail, name="detail"),
    path("<int:pk>/edit/", views.resident_edit, name="edit"),
    path("<int:pk>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/show-id/", views.show_id, name="show_id"),
    path("<int:pk>/anonymise/", views.resident_anonymise, name="anonymise"),
]
