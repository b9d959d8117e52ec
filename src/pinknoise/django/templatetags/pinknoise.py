"""``{% load pinknoise %}``: Subresource Integrity for collected static files.

With ``pinknoise.storage.CompressedManifestStaticFilesStorage``, ``collectstatic``
records each hashed file's SRI in ``staticfiles.json``; these tags read it (through the
storage, which loads the manifest once, as ``{% static %}`` does)::

    {% load pinknoise %}
    {% static_tag 'css/app.css' %}
        -> <link rel="stylesheet" href="/static/css/app.3f2a9c1b7d4e.css"
                 integrity="sha384-..." crossorigin="anonymous">
    {% static_tag 'js/app.js' type='module' defer=True %}
    <img src="{% static 'img/logo.png' %}" integrity="{% integrity 'img/logo.png' %}" ...>

In DEBUG, as ``{% static %}`` links to the unhashed source, there is no integrity:
``{% integrity %}`` is empty and ``{% static_tag %}`` has no ``integrity`` attribute.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from pinknoise.assets.helpers import render_tag

register = template.Library()


@register.simple_tag
def integrity(path: str) -> str:
    """``sha384-...`` of the collected file ``{% static path %}`` links to; "" in DEBUG."""
    return _integrity(path) or ""


@register.simple_tag
def static_tag(path: str, **attributes: Any) -> SafeString:
    """A ``<link rel="stylesheet">`` (CSS) or ``<script>`` (JS) with its integrity.

    Keyword arguments are attributes (``type='module'``, ``defer=True``;
    ``data_x='1'`` becomes ``data-x``), escaped.
    """
    return mark_safe(render_tag(path, static(path), _integrity(path), attributes))


def _integrity(path: str) -> str | None:
    if settings.DEBUG:
        return None
    read = getattr(staticfiles_storage, "integrity", None)
    if read is None:
        raise ImproperlyConfigured(
            f"{{% integrity %}} needs the integrity collectstatic records with "
            f"pinknoise.storage.CompressedManifestStaticFilesStorage; the staticfiles "
            f"storage is {type(staticfiles_storage).__module__}."
            f"{type(staticfiles_storage).__qualname__}"
        )
    found: str | None = read(path)
    return found
