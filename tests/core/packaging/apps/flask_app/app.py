from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    return {"app": "flask", "query": request.args.get("parameter2")}
