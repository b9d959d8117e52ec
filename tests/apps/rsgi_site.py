"""The test site as an RSGI app for granian: root from $PINKNOISE_TEST_ROOT."""

import os

from pinknoise import PinkNoiseRSGI
from tests.support.rsgi_client import fallback_app

application = PinkNoiseRSGI(
    fallback_app, os.environ["PINKNOISE_TEST_ROOT"], prefix="/static/", index_file=True
)
