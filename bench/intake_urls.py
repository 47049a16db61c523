"""The project's URLs plus a bare view for bench_intake (set as ROOT_URLCONF in the bench process only):
the same middleware, logged in, one INSERT, so the intake's cost can be read as a ratio."""

from django.db import models
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as project


class BareRow(models.Model):
    """A table the bench creates and drops; only the bare view writes it."""

    token = models.CharField(max_length=64)

    class Meta:
        app_label = "bench"
        db_table = "bench_intake_bare_row"

    def __str__(self):
        return self.token


@require_POST
def bare_insert(request):
    BareRow.objects.create(token=request.POST.get("idempotency_token", ""))
    return HttpResponseRedirect("/done/")


urlpatterns = [path("bench/bare-insert/", bare_insert, name="bench_bare_insert"), *project]
