"""The portal's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from khuyenhoc.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("secret detail /srv/khuyenhoc/settings.py")


def suspicious(request):
    raise SuspiciousOperation("secret detail /srv/khuyenhoc/settings.py")


urlpatterns = [
    path("__hong__/", broken),
    path("__la__/", suspicious),
    *urlpatterns,
]
