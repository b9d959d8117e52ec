"""A Flask app in a package, flaskr-style (templates and static/ next to this file).

    pinknoise compress flask_site/static        # optional: .br/.zst/.gz siblings
    gunicorn 'flask_site:create_app()'          # from examples/recipes/

The static root is the app's own static folder, found from the package, not from the
working directory: run it from anywhere.
"""

from flask import Flask, Response, jsonify, render_template, request

import pinknoise.flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def home() -> str:
        return render_template("home.html")

    @app.post("/echo")
    def echo() -> Response:
        return jsonify(received=request.get_data(as_text=True))

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return render_template("404.html"), 404

    # pinknoise serves app.static_folder at /static/; url_for('static', ...) still works,
    # and Flask's static view only ever answers 404 (the handler above renders it).
    pinknoise.flask.serve_static(app)
    return app
