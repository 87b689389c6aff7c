"""GET /pos: the staff's POS page is served by the gateway itself, self-contained and locked down."""
from .conftest import served_page

ASSETS = {"/pos/page.css": "text/css", "/pos/pos.css": "text/css",  # the pages' shared files, then its own
          "/pos/page.js": "text/javascript", "/pos/pos.js": "text/javascript"}


def test_the_page_its_script_and_style_are_served_with_a_strict_policy(client):
    policy, text = served_page(client, "/pos", ASSETS)
    assert "店员登录" in text
    assert "img-src 'self';" in policy  # blob: images only on the volunteer's page


def test_other_paths_and_methods_under_pos_are_refused(client):
    assert client.get("/pos/other.js").status_code == 404
    assert client.get("/pos/../api").status_code in (400, 404)
    response = client.post("/pos")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
