"""pinknoise: serve a web application's own static files, fast and correctly.

The adapters are imported on first use (PEP 562), so ``pinknoise build`` or
``pinknoise compress`` does not pay for asyncio and the servers' adapters at start-up,
and ``import pinknoise.core`` stays free of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pinknoise.asgi import PinkNoiseASGI
    from pinknoise.rsgi import PinkNoiseRSGI
    from pinknoise.wsgi import PinkNoise

__all__ = ["PinkNoise", "PinkNoiseASGI", "PinkNoiseRSGI"]
__version__ = "0.1.0"

_ADAPTERS: Final = {
    "PinkNoise": "pinknoise.wsgi",
    "PinkNoiseASGI": "pinknoise.asgi",
    "PinkNoiseRSGI": "pinknoise.rsgi",
}


def __getattr__(name: str) -> Any:
    module = _ADAPTERS.get(name)
    if module is None:
        raise AttributeError(f"module 'pinknoise' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_ADAPTERS])
