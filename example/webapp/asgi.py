"""ASGI entry point (Starlette), served by uvicorn: `uvicorn webapp.asgi:app`."""

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from . import settings


async def healthz(request):
    return JSONResponse(settings.health())


async def index(request):
    return HTMLResponse(settings.hello_page("ASGI (Starlette)"))


async def config(request):
    return JSONResponse(settings.config_report())


app = Starlette(routes=[
    Route("/healthz", healthz),
    Route("/", index),
    Route("/config", config),
])
