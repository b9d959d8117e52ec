"""Content-hashed assets for any framework: the build's manifest, read by template helpers.

``pinknoise build SRC OUT`` writes OUT and ``OUT/.pinknoise-assets.json``;
:class:`Assets` reads that manifest for templates (hashed URLs, Subresource Integrity,
tags), and the server reads it to cache exactly the hashed files as immutable. See
``docs/assets.md``.
"""

from pinknoise.assets.helpers import AssetNotFoundError, Assets, NotBuiltError, install

__all__ = ["AssetNotFoundError", "Assets", "NotBuiltError", "install"]
