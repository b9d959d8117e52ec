"""Flask: pinknoise serves the app's static folder, ``url_for('static', ...)`` keeps working.

    app = Flask(__name__)
    pinknoise.flask.serve_static(app)

Flask's own static view cannot simply stay: every path pinknoise refuses (a dotfile such
as ``/static/.env``, a symlink leading out of the folder) or misses is passed on to the
app, and Flask's view would serve it. Turning the view off with ``static_folder=None``
removes the ``static`` endpoint too, so every template's ``url_for('static', ...)``
raises ``BuildError``. So the URL rule stays, for building URLs, and its view function
is replaced by one that answers 404 through Flask: the app's own 404 handler renders
the page, as it does for any other missing URL.

With a build (``pinknoise build static build``), the same call serves the build and
makes every ``url_for('static', filename=...)`` the hashed URL::

    pinknoise.flask.serve_static(app, assets=Assets(os.path.join(app.root_path, "build")))
"""

from __future__ import annotations

import os
from typing import Any, NoReturn

from flask import Flask, abort

from pinknoise.assets.helpers import Assets, install
from pinknoise.wsgi import PinkNoise

__all__ = ["serve_static"]


def serve_static(app: Flask, *, assets: Assets | None = None, **options: Any) -> PinkNoise:
    """Serve ``app.static_folder`` at ``app.static_url_path`` with pinknoise.

    Wraps ``app.wsgi_app`` (so ``app`` stays the Flask object servers and extensions
    expect) and keeps Flask's ``static`` endpoint for ``url_for`` only: its view answers
    404 and never reads a file. The static folders of blueprints registered so far are
    served the same way (call this after ``register_blueprint``). ``options`` are
    pinknoise's (``max_age=...``, ...). Returns the :class:`~pinknoise.PinkNoise` in
    front, e.g. to ``add_files`` more.

    With ``assets`` (:class:`~pinknoise.assets.Assets`), its root (the build, or in
    dev mode the source folder) is served in place of ``app.static_folder``,
    ``url_for('static', filename=...)`` gives the hashed name (an unknown one raises
    :class:`~pinknoise.assets.AssetNotFoundError`), and templates get ``asset_url``,
    ``asset_integrity`` and ``asset_tag``.
    """
    folder = app.static_folder
    url_path = app.static_url_path
    if folder is None or url_path is None or "static" not in app.view_functions:
        raise ValueError(
            "serve_static(app) serves the app's static folder, and this app has none: "
            "create it with Flask(__name__) (or static_folder=...), not static_folder=None"
        )
    if assets is not None:
        folder = assets.root
        _use_assets(app, assets, url_path)
    static = PinkNoise(app.wsgi_app, root=os.path.abspath(folder), prefix=url_path + "/", **options)
    app.wsgi_app = static  # type: ignore[method-assign]
    # Flask's public way to bind an endpoint's view: the rule (and url_for) stays.
    app.endpoint("static")(_not_served)
    for endpoint, blueprint_folder, prefix in _blueprint_static(app):
        static.add_files(blueprint_folder, prefix)
        app.endpoint(endpoint)(_not_served)
    return static


def _use_assets(app: Flask, assets: Assets, url_path: str) -> None:
    """``url_for('static', ...)`` to hashed names, and the template globals."""
    if assets.prefix.startswith("/") and not assets.prefix.endswith(url_path + "/"):
        raise ValueError(
            f"the assets' URL prefix {assets.prefix!r} is not the app's static URL path "
            f"{url_path + '/'!r}, so asset_tag() would link to files nobody serves: give "
            f"Assets(..., prefix={url_path + '/'!r})"
        )

    def hashed_filename(endpoint: str, values: dict[str, Any]) -> None:
        # Flask's public hook into url_for: it may rewrite the values before building.
        if endpoint == "static" and isinstance(values.get("filename"), str):
            values["filename"] = assets.path(values["filename"])

    app.url_defaults(hashed_filename)
    install(app.jinja_env, assets)


def _blueprint_static(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, absolute folder, URL prefix) of each registered blueprint's static view."""
    found = []
    for rule in app.url_map.iter_rules():
        name, dot, view = rule.endpoint.rpartition(".")
        blueprint = app.blueprints.get(name)
        if not dot or view != "static" or blueprint is None:
            continue
        folder = blueprint.static_folder
        prefix = rule.rule.removesuffix("<path:filename>")
        # A prefix with URL variables (url_prefix="/<lang>") is not one static path.
        if folder is not None and prefix.endswith("/") and "<" not in prefix:
            found.append((rule.endpoint, os.path.abspath(folder), prefix))
    return found


def _not_served(filename: str) -> NoReturn:
    # Reached only for what pinknoise did not serve: refused or missing, alike a 404.
    abort(404)
