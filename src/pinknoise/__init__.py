"""pinknoise: serve a web application's own static files, fast and correctly."""

from pinknoise.asgi import PinkNoiseASGI
from pinknoise.rsgi import PinkNoiseRSGI
from pinknoise.wsgi import PinkNoise

__all__ = ["PinkNoise", "PinkNoiseASGI", "PinkNoiseRSGI"]
__version__ = "0.1.0"
