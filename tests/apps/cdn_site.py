"""The test site mounted several times, one prefix per CDN test, for real servers.

``$PINKNOISE_TEST_ROOT`` is the root; ``$PINKNOISE_CDN_MOUNTS`` lists the mounts as
``name=max_age`` pairs (``enc=60,fresh=1``): each serves the whole root at ``/name/`` with
that ``max_age``, so every test warms its own, cold part of the proxy's cache.
"""

import os

from pinknoise import PinkNoise, PinkNoiseASGI
from tests.support.asgi_client import fallback_app as asgi_fallback
from tests.support.wsgi_client import fallback_app as wsgi_fallback

ROOT = os.environ["PINKNOISE_TEST_ROOT"]
MOUNTS = [
    (name, int(max_age))
    for name, _, max_age in (
        pair.partition("=") for pair in os.environ["PINKNOISE_CDN_MOUNTS"].split(",")
    )
]

application = wsgi_fallback
asgi_application = asgi_fallback
for _name, _max_age in MOUNTS:
    application = PinkNoise(application, ROOT, prefix=f"/{_name}/", max_age=_max_age)
    asgi_application = PinkNoiseASGI(asgi_application, ROOT, prefix=f"/{_name}/", max_age=_max_age)
