"""Django integration: ``wrap()``, middleware, compressing storage backends, system checks.

Either wrap the application (fastest: static files are answered before Django's
request machinery runs)::

    application = wrap(get_wsgi_application())   # or get_asgi_application()

or add ``pinknoise.middleware.PinkNoiseMiddleware`` right after SecurityMiddleware (when
other middleware must see static requests). Optionally add ``pinknoise.runserver_nostatic``
(or ``pinknoise.django``, for the system checks alone) to ``INSTALLED_APPS``. See
``docs/django.md``.
"""

from pinknoise.django.wrapper import wrap

__all__ = ["wrap"]
