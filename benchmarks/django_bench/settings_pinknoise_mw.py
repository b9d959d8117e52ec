"""The example site with ``PinkNoiseMiddleware`` in the usual stack (not wrapped)."""

from djsite.settings import *  # noqa: F403
from djsite.settings import MIDDLEWARE as EXAMPLE_MIDDLEWARE

SECURITY = "django.middleware.security.SecurityMiddleware"
MIDDLEWARE = [SECURITY, "pinknoise.middleware.PinkNoiseMiddleware"]
MIDDLEWARE += [m for m in EXAMPLE_MIDDLEWARE if m != SECURITY]
