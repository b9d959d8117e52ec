"""The example site as a WhiteNoise user has it: its middleware, its storage (not wrapped)."""

from djsite.settings import *  # noqa: F403
from djsite.settings import INSTALLED_APPS as EXAMPLE_APPS
from djsite.settings import MIDDLEWARE as EXAMPLE_MIDDLEWARE

SECURITY = "django.middleware.security.SecurityMiddleware"
INSTALLED_APPS = [
    "whitenoise.runserver_nostatic" if app == "pinknoise.runserver_nostatic" else app
    for app in EXAMPLE_APPS
]
MIDDLEWARE = [SECURITY, "whitenoise.middleware.WhiteNoiseMiddleware"]
MIDDLEWARE += [m for m in EXAMPLE_MIDDLEWARE if m != SECURITY]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
