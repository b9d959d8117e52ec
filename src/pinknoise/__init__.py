"""pinknoise: serve a web application's own static files, fast and correctly."""

from pinknoise.wsgi import PinkNoise

__all__ = ["PinkNoise"]
__version__ = "0.1.0"
