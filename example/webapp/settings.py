"""Settings shared by both entry points, read from the environment at import time.

Secret values are never returned by any route: only whether they are set.
"""

import os

APP_NAME = os.environ.get("APP_NAME", "webapp")
STAGE = os.environ.get("APP_ENV", "unknown")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")
APP_URL = os.environ.get("APP_URL", "")
SECRET_KEY = os.environ.get("SECRET_KEY")

# Variables the app needs in production; /config reports which ones are present.
REQUIRED = ("DATABASE_URL", "SECRET_KEY")


def health():
    """Body of /healthz."""
    return {"status": "ok"}


def config_report():
    """Body of /config: which settings are present, never their values."""
    return {
        "app": APP_NAME,
        "stage": STAGE,
        "log_level": LOG_LEVEL,
        "app_url": APP_URL,
        "set": {name: bool(os.environ.get(name)) for name in REQUIRED},
    }


def hello_page(server):
    """HTML of /: which app, which stage, which server."""
    from html import escape

    return (
        "<!doctype html>\n<title>{name}</title>\n"
        "<h1>Hello from {name}</h1>\n"
        "<p>stage: <b>{stage}</b>, served by {server}</p>\n"
    ).format(name=escape(APP_NAME), stage=escape(STAGE), server=escape(server))
