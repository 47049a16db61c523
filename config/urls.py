from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from config import views

admin.site.site_header = "Doorstep 流动办公桌"
admin.site.site_title = "Doorstep"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # No e-mail password reset: an administrator resets staff passwords.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The language switch is on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("residents/", include("residents.urls")),
    path("desks/", include("desks.urls")),
    path("requests/", include("requests.urls")),
    path("dashboard/", include("requests.dashboard.urls")),
    path("s/", include("requests.public_urls")),  # the public status page (no login)
    path("sms/", include("residents.sms.urls")),  # providers' receipts and replies (signed or tokened)
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
