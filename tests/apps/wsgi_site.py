"""The test site as a WSGI app for real servers: root from $PINKNOISE_TEST_ROOT."""

import os

from pinknoise import PinkNoise
from tests.support.wsgi_client import fallback_app

application = PinkNoise(
    fallback_app, os.environ["PINKNOISE_TEST_ROOT"], prefix="/static/", index_file=True
)
