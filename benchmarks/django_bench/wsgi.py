"""Django's WSGI application, not wrapped: ``gunicorn django_bench.wsgi``.

``DJANGO_SETTINGS_MODULE`` picks the middleware variant (``django_bench.settings_*``).
"""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
