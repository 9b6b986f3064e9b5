from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Greeting(BaseModel):
    app: str
    query: str | None


@app.get("/")
def index(parameter2: str | None = None) -> Greeting:
    return Greeting(app="fastapi", query=parameter2)
