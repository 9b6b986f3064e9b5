from flask import Flask, jsonify, url_for

app = Flask(__name__)


@app.route("/where/<name>")
def where(name):
    return jsonify(external=url_for("where", name=name, _external=True), relative=url_for("where", name=name))
