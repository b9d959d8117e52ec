"""ASGI entry point: ``uvicorn djsite.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

from pinknoise.django import wrap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djsite.settings")
# Static files first, before Django's request machinery; everything else to Django.
application = wrap(get_asgi_application())
