from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import health
from requests import clock
from requests.selectors import inbox_page
from residents.roles import Role
from residents.scoping import places


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok(), "static": health.static_ok()}
    failed = [name for name, ok in checks.items() if not ok]
    body = {
        "status": "ok" if not failed else "fail",
        **{name: "ok" if ok else "fail" for name, ok in checks.items()},
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)


def home(request):
    # The staff home: where the user works and as what; each app adds its section to the template.
    memberships = request.user.memberships.filter(is_active=True).select_related("community")
    roles = {place.role for place in places(request.user).values()}
    # Supervisors see deadlines go wrong, administrators can fix it: only they are told (DESIGN §4.3).
    # calendar_warning reads CalendarDay through the clock's per-year cache, so home stays cheap.
    warning = clock.calendar_warning() if roles & {Role.SUPERVISOR, Role.ADMINISTRATOR} else None
    context = {
        "memberships": memberships,
        # What waits for them first (requests' counts), then today's desk sessions (desks').
        "waiting": inbox_page.waiting_for(user=request.user) if places(request.user) else None,
        "calendar_warning": warning,
        "calendar_admin": warning is not None and Role.ADMINISTRATOR in roles,
    }
    return render(request, "home.html", context)
