"""A project's wsgi.py that uses ``wrap()``, for the system checks' tests."""

from django.core.handlers.wsgi import WSGIHandler

from pinknoise.django import wrap

application = wrap(WSGIHandler())
