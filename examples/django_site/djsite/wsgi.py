"""WSGI entry point: ``gunicorn djsite.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

from pinknoise.django import wrap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djsite.settings")
# Static files first, before Django's request machinery; everything else to Django.
application = wrap(get_wsgi_application())
