"""Settings and entry points for ``bench_django.py``: the example site as other set-ups.

The example project (``examples/django_site``, ``djsite``) serves static files through
``pinknoise.django.wrap()`` in its own ``wsgi.py`` and ``asgi.py``; these modules make
the set-ups it is compared with, on the same project:

* ``settings_pinknoise_mw``: ``PinkNoiseMiddleware`` right after SecurityMiddleware;
* ``settings_whitenoise_mw``: ``WhiteNoiseMiddleware`` there instead, with WhiteNoise's
  compressing manifest storage (collected into its own ``STATIC_ROOT``);
* ``wsgi`` and ``asgi``: Django's handler, not wrapped, for those settings;
* ``plain_asgi``: ``PinkNoiseASGI`` alone over the collected files, no Django.

``STATIC_ROOT`` and the database come from the environment, as for the example
(``DJANGO_STATIC_ROOT``, ``DJANGO_DATABASE``).
"""
