"""WSGI entry point for the HTTP benchmark: ``gunicorn http_app:application``.

The target and the tree come from the environment so every server runs the same module:
``PINKNOISE_BENCH_TARGET`` (pinknoise, whitenoise, servestatic) and ``PINKNOISE_BENCH_ROOT``.
"""

from __future__ import annotations

import os

import targets

application = targets.build(
    os.environ["PINKNOISE_BENCH_TARGET"], os.environ["PINKNOISE_BENCH_ROOT"]
)
