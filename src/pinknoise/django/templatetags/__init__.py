"""Template tags of the ``pinknoise.django`` app: ``{% load pinknoise %}``."""
