"""URLs for tests/django: every path not served as static reaches ``fallback``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import re_path


def fallback(request: HttpRequest) -> HttpResponse:
    """A recognisable 404, like the WSGI tests' wrapped application."""
    body = f"app:{request.method}:{request.path_info}".encode()
    return HttpResponse(body, status=404, content_type="text/plain", headers={"X-App": "yes"})


urlpatterns = [re_path(r"", fallback)]
