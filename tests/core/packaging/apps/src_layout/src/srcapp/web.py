from flask import Flask

from srcapp.greeting import greet

app = Flask(__name__)


@app.route("/")
def index():
    return {"app": "src-layout", "greeting": greet()}
