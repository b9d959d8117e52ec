"""A site for the hardening tests under real servers, configured from the environment.

``PINKNOISE_TEST_ROOT`` is the static root (served at ``/static/``) and
``PINKNOISE_TEST_AUTOREFRESH=1`` turns autorefresh on. ``wsgi`` and ``asgi`` wrap the
shared fall-through apps, which answer 404 with ``X-App: yes``.
"""

import os

from pinknoise import PinkNoise, PinkNoiseASGI
from tests.support import asgi_client, wsgi_client

_ROOT = os.environ["PINKNOISE_TEST_ROOT"]
_OPTIONS = {
    "prefix": "/static/",
    "index_file": True,
    "autorefresh": os.environ.get("PINKNOISE_TEST_AUTOREFRESH") == "1",
}

wsgi = PinkNoise(wsgi_client.fallback_app, _ROOT, **_OPTIONS)
asgi = PinkNoiseASGI(asgi_client.fallback_app, _ROOT, **_OPTIONS)
