"""Flask with pinknoise: wrap ``app.wsgi_app``, keep ``app`` a Flask object.

    pinknoise compress ../site           # optional: .br/.zst/.gz siblings
    gunicorn flask_app:app               # from this directory

STATIC_ROOT (default: ../site) is the directory served at /static/.
"""

import os
from pathlib import Path

from flask import Flask, Response, jsonify, request

from pinknoise import PinkNoise

STATIC_ROOT = os.environ.get("STATIC_ROOT", Path(__file__).resolve().parent.parent / "site")

# static_folder=None turns Flask's own static view off: it would serve what pinknoise
# refuses and passes on (dotfiles such as .env, symlinks leading out of the root).
app = Flask(__name__, static_folder=None)
app.wsgi_app = PinkNoise(app.wsgi_app, root=STATIC_ROOT, prefix="/static/")


@app.get("/")
def home() -> str:
    return "hello from flask"


@app.post("/echo")
def echo() -> Response:
    return jsonify(received=request.get_data(as_text=True))
