"""The baseline of the redemption benchmark: a bare Flask app answering a small JSON body."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/echo")
def echo():
    body = request.get_json(silent=True) or {}
    return jsonify({"status": "completed", "points": 1, "items": len(body.get("items", []))}), 201
