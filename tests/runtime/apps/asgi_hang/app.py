"""A FastAPI app whose lifespan startup waits for a connection that never comes."""

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app):
    await asyncio.Event().wait()
    yield


app = FastAPI(lifespan=lifespan)
