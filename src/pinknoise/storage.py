"""``pinknoise.storage.*``, the names ``STORAGES["staticfiles"]["BACKEND"]`` uses."""

from pinknoise.django.storage import (
    CompressedManifestStaticFilesStorage,
    CompressedStaticFilesStorage,
    CompressionError,
    MissingFileError,
    MissingReferenceWarning,
    ReferenceOutsideRootError,
)

__all__ = [
    "CompressedManifestStaticFilesStorage",
    "CompressedStaticFilesStorage",
    "CompressionError",
    "MissingFileError",
    "MissingReferenceWarning",
    "ReferenceOutsideRootError",
]
