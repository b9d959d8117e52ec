"""A Django app whose ``runserver`` does not serve static files itself.

With it listed above ``django.contrib.staticfiles`` in INSTALLED_APPS, ``runserver``
leaves static files to PinkNoiseMiddleware, so development serves them exactly as
production does (headers, compression, caching). ``runserver --nostatic`` is now the
default; the app also registers pinknoise's system checks.
"""
