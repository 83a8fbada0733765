"""WSGI entry point (Flask), served by gunicorn: `gunicorn webapp.wsgi:app`."""

from flask import Flask, jsonify

from . import settings

app = Flask(__name__)
app.config["SECRET_KEY"] = settings.SECRET_KEY


@app.get("/healthz")
def healthz():
    return jsonify(settings.health())


@app.get("/")
def index():
    return settings.hello_page("WSGI (Flask)")


@app.get("/config")
def config():
    return jsonify(settings.config_report())
