"""ASGI entry point for the HTTP benchmark: ``uvicorn asgi_app:application`` (or granian).

Like ``http_app``: ``PINKNOISE_BENCH_TARGET`` (pinknoise, servestatic) picks the ASGI
class and ``PINKNOISE_BENCH_ROOT`` the tree.
"""

from __future__ import annotations

import os

import targets

application = targets.build_asgi(
    os.environ["PINKNOISE_BENCH_TARGET"], os.environ["PINKNOISE_BENCH_ROOT"]
)
