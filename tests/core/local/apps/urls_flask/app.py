from flask import Flask, jsonify, redirect, url_for

app = Flask(__name__)


@app.route("/where/<name>")
def where(name):
    return jsonify(external=url_for("where", name=name, _external=True), relative=url_for("where", name=name))


@app.route("/go")
def go():
    return redirect(url_for("where", name="there"))
