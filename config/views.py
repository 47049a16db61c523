from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import health


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    failed = [name for name, ok in checks.items() if not ok]
    body = {
        "status": "ok" if not failed else "fail",
        "database": "ok" if checks["database"] else "fail",
        "broker": "ok" if checks["broker"] else "fail",
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)


def home(request):
    # The staff home: where the user works and as what; each app adds its section to the template.
    memberships = request.user.memberships.filter(is_active=True).select_related("community")
    return render(request, "home.html", {"memberships": memberships})
