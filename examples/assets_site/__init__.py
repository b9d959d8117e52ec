"""One site, three frameworks: static files built with hashed names and SRI.

    pinknoise build static build          # at deploy: hashed copies + manifest (SRI)
    gunicorn assets_site.flask_app:app    # or uvicorn assets_site.fastapi_app:app,
                                          # uvicorn assets_site.starlette_app:app
                                          # (from examples/)

Templates write ``{{ asset_tag('css/site.css') }}`` (a ``<link>`` with ``integrity``)
and ``url_for('static', ...)``, which gives the hashed URL. While developing
(``flask --app assets_site.flask_app run --debug``, or ``DEBUG=1`` for the others) the
source folder is served as it is, with nothing to build.
"""

from pathlib import Path

from pinknoise.assets import Assets

HERE = Path(__file__).resolve().parent


def load_assets(dev: bool) -> Assets:
    """The built files, or in development the source files themselves."""
    return Assets(HERE / "static", dev=True) if dev else Assets(HERE / "build")
