"""The sans-I/O core: files and HTTP semantics, nothing of WSGI or ASGI.

Adapters (``pinknoise.wsgi``, ``pinknoise.asgi``, the Django middleware) translate their
protocol into a :class:`~pinknoise.core.request.Request`, ask the
:class:`~pinknoise.core.server.StaticServer` for a decision and translate the
:class:`~pinknoise.core.response.Response` back. Sharing this one decision path is what
makes every front end answer byte-for-byte alike.
"""
