"""The front-end fixtures' app for real servers, configured by $PINKNOISE_TEST_CONFIG.

The variable holds JSON: ``{"root": ..., "prefix": ..., "options": {...}}``, the same
arguments the in-process front ends are built with, and optionally ``"media": {"root":
..., "options": {...}}`` for ``add_media`` at ``/media/``. ``wsgi``, ``asgi`` and ``rsgi`` wrap the
shared fall-through apps, which answer 404 with ``X-App: yes``.
"""

import json
import os

from pinknoise import PinkNoise, PinkNoiseASGI, PinkNoiseRSGI
from tests.support import asgi_client, rsgi_client, wsgi_client
from tests.support.frontends import MEDIA_PREFIX, resolve_media_options

_CONFIG = json.loads(os.environ["PINKNOISE_TEST_CONFIG"])
_ARGS = (_CONFIG["root"], _CONFIG["prefix"])

wsgi = PinkNoise(wsgi_client.fallback_app, *_ARGS, **_CONFIG["options"])
asgi = PinkNoiseASGI(asgi_client.fallback_app, *_ARGS, **_CONFIG["options"])
rsgi = PinkNoiseRSGI(rsgi_client.fallback_app, *_ARGS, **_CONFIG["options"])

if "media" in _CONFIG:
    _MEDIA_OPTIONS = resolve_media_options(_CONFIG["media"]["options"])
    for _app in (wsgi, asgi, rsgi):
        _app.add_media(_CONFIG["media"]["root"], MEDIA_PREFIX, **_MEDIA_OPTIONS)
