"""GET /points: the volunteer's points page is served by the gateway itself, self-contained and locked
down, and leaves the points API under /api/v1/points to the forwarding."""
import re

from .conftest import bearer

ASSETS = {"/points/page.js": "text/javascript", "/points/volunteer.js": "text/javascript",
          "/points/page.css": "text/css", "/points/volunteer.css": "text/css"}


def test_the_page_and_its_assets_are_served_with_a_strict_policy(client):
    page = client.get("/points")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "志愿者登录" in html and 'name="viewport"' in html
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "connect-src 'self';" in policy
    assert "img-src 'self' blob:;" in policy  # the QR image, fetched with the token
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy and "unsafe-" not in policy
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-cache"
    everything = html
    for path, mimetype in ASSETS.items():
        answer = client.get(path)
        assert answer.status_code == 200 and answer.mimetype == mimetype, path
        assert answer.headers["Content-Security-Policy"] == policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        everything += answer.get_data(as_text=True)
    # every URL the page names is one of its own assets on this gateway: no CDN, no other origin
    assert sorted(re.findall(r'(?:src|href)="([^"]*)"', html)) == sorted(ASSETS)
    assert "http://" not in everything and "https://" not in everything and "//cdn" not in everything
    assert "<script>" not in html and "<style" not in html and " style=" not in html  # nothing inline
    assert "localStorage" not in everything  # the token lives in sessionStorage at most


def test_only_the_pos_page_allows_no_blob_images(client):
    assert "blob:" not in client.get("/pos").headers["Content-Security-Policy"]


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
