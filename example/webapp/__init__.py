"""The deploy-run example app: one WSGI entry (Flask) and one ASGI entry (Starlette).

Serve it with `gunicorn webapp.wsgi:app` or `uvicorn webapp.asgi:app` from the app root.
It reads its settings from the process environment only; deploy-run composes that
environment from the profile and the .env files, so the app never loads .env files itself.
"""
