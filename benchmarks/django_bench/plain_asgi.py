"""``PinkNoiseASGI`` alone over the collected ``STATIC_ROOT``: no Django, no fallback app."""

import os

from pinknoise import PinkNoiseASGI

application = PinkNoiseASGI(None, os.environ["DJANGO_STATIC_ROOT"], prefix="/static/")
