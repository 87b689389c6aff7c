"""GET /points: the volunteer's points page is served by the gateway itself, self-contained and locked
down, and leaves the points API under /api/v1/points to the forwarding."""
from .conftest import bearer, served_page

ASSETS = {"/points/page.js": "text/javascript", "/points/volunteer.js": "text/javascript",
          "/points/page.css": "text/css", "/points/volunteer.css": "text/css"}


def test_the_page_and_its_assets_are_served_with_a_strict_policy(client):
    policy, text = served_page(client, "/points", ASSETS)
    assert "志愿者登录" in text
    assert "img-src 'self' blob:;" in policy  # the QR image, fetched with the token
    assert "localStorage" not in text  # the token lives in sessionStorage at most


def test_other_paths_and_methods_under_points_are_refused(client):
    assert client.get("/points/other.js").status_code == 404
    assert client.get("/points/pos.js").status_code == 404  # each page serves its own files only
    assert client.get("/pos/volunteer.js").status_code == 404
    assert client.get("/points/../api").status_code in (400, 404)
    response = client.post("/points")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_the_points_api_is_still_forwarded(app, client, upstreams):
    for path in ("/api/v1/points/me", "/api/v1/points/me/entries"):
        assert client.get(path, headers=bearer(app)).status_code == 200
        assert len(upstreams["points"].state.requests_to(path)) == 1
    assert upstreams["points"].state.requests_to("/points") == []
