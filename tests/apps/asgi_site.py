"""The test site as an ASGI app for real servers: root from $PINKNOISE_TEST_ROOT."""

import os

from pinknoise import PinkNoiseASGI
from tests.support.asgi_client import fallback_app

application = PinkNoiseASGI(
    fallback_app, os.environ["PINKNOISE_TEST_ROOT"], prefix="/static/", index_file=True
)
