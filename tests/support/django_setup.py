"""Django configured once for the whole suite, for tests inside and outside tests/django.

The front-end fixtures run the Django middleware next to the WSGI and ASGI adapters, so
the settings cannot live in tests/django's conftest alone.
"""

from __future__ import annotations

BASE_SETTINGS: dict[str, object] = {
    "DEBUG": False,
    "SECRET_KEY": "pinknoise-tests",
    "ALLOWED_HOSTS": ["*"],
    "ROOT_URLCONF": "tests.django.urls",
    "INSTALLED_APPS": ["django.contrib.staticfiles", "pinknoise.django"],
    "MIDDLEWARE": [
        "django.middleware.security.SecurityMiddleware",
        "pinknoise.middleware.PinkNoiseMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    "STATIC_URL": "/static/",
    "STATIC_ROOT": None,
    "STATICFILES_DIRS": [],
    "STORAGES": {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    },
    "DATABASES": {},
    "USE_TZ": True,
}


def ensure_configured() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(**BASE_SETTINGS)
        django.setup()
