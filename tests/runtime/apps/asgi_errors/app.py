"""A FastAPI app with a global exception handler, a background task that fails after its response, and a
Starlette app (with its own ``exception_handlers``) mounted under ``/starlette``.

Starlette's ``ServerErrorMiddleware`` sends the handler's response and then re-raises the exception, so the
runtime sees an exception after a complete response in each of these routes.
"""

from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

BACKGROUND = []


async def starlette_boom(request):
    raise KeyError("starlette boom")


async def starlette_handler(request, exc):
    return PlainTextResponse(f"starlette handled {type(exc).__name__}", status_code=500,
                             headers={"X-Handled-By": "starlette"})


inner = Starlette(routes=[Route("/boom", starlette_boom)], exception_handlers={Exception: starlette_handler})
app = FastAPI()
app.mount("/starlette", inner)


@app.exception_handler(Exception)
async def fastapi_handler(request: Request, exc: Exception):
    return JSONResponse({"error": "handled by the app", "type": type(exc).__name__, "path": request.url.path},
                        status_code=500, headers={"X-Handled-By": "fastapi"})


@app.get("/boom")
async def boom():
    raise RuntimeError("fastapi boom")


def fail_later():
    BACKGROUND.append("ran")
    raise ValueError("background boom")


@app.get("/later")
async def later(tasks: BackgroundTasks):
    tasks.add_task(fail_later)
    return {"ok": True}


@app.get("/ran")
async def ran():
    return {"background": BACKGROUND}
