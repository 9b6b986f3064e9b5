from fastapi import FastAPI

app = FastAPI(title="local urls")


@app.get("/items/{item_id}")
def item(item_id: int) -> dict:
    return {"item_id": item_id}
