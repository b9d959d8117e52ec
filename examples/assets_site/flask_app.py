"""Flask: ``serve_static(app, assets=...)`` serves the build; url_for gives hashed URLs."""

from flask import Flask, render_template

import pinknoise.flask
from assets_site import load_assets

app = Flask(__name__, template_folder="templates/flask")


@app.get("/")
def page() -> str:
    return render_template("page.html")


# One line: serve the build at /static/, url_for('static', filename=...) -> hashed
# name, and asset_url / asset_integrity / asset_tag in every template.
pinknoise.flask.serve_static(app, assets=load_assets(app.debug))
