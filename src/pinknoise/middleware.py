"""``pinknoise.middleware.PinkNoiseMiddleware``, the name Django settings use."""

from pinknoise.django.middleware import PinkNoiseMiddleware

__all__ = ["PinkNoiseMiddleware"]
