"""Django's ASGI application, not wrapped: ``uvicorn django_bench.asgi:application``.

``DJANGO_SETTINGS_MODULE`` picks the middleware variant (``django_bench.settings_*``).
"""

from django.core.asgi import get_asgi_application

application = get_asgi_application()
