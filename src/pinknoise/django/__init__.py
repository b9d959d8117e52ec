"""Django integration: middleware, compressing storage backends, system checks.

Add ``pinknoise.middleware.PinkNoiseMiddleware`` right after SecurityMiddleware and,
optionally, ``pinknoise.runserver_nostatic`` (or ``pinknoise.django``, for the system
checks alone) to ``INSTALLED_APPS``. See ``docs/django.md``.
"""
