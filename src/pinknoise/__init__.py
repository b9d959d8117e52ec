"""pinknoise: serve a web application's own static files, fast and correctly.

The adapters are imported on first use (PEP 562), so ``pinknoise compress`` and the
Django storage do not pay for the serving stack (asyncio and all) at start-up.
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

_HOMES: Final = {
    "PinkNoise": "pinknoise.wsgi",
    "PinkNoiseASGI": "pinknoise.asgi",
    "PinkNoiseRSGI": "pinknoise.rsgi",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pinknoise' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
