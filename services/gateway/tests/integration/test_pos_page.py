"""GET /pos: the staff's POS page is served by the gateway itself, self-contained and locked down."""
import re


def test_the_page_its_script_and_style_are_served_with_a_strict_policy(client):
    page = client.get("/pos")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "店员登录" in html and 'name="viewport"' in html
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    everything = html
    for script in ("/pos/page.js", "/pos/pos.js"):  # the pages' shared script, then its own
        answer = client.get(script)
        assert answer.status_code == 200 and answer.mimetype == "text/javascript"
        assert answer.headers["Content-Security-Policy"] == policy
        everything += answer.get_data(as_text=True)
    for style in ("/pos/page.css", "/pos/pos.css"):
        answer = client.get(style)
        assert answer.status_code == 200 and answer.mimetype == "text/css"
        everything += answer.get_data(as_text=True)
    # no CDN, no other origin: every URL the page names is this gateway's
    assert not re.search(r"(?:src|href)=\"(?!/)", html)
    assert "http://" not in everything and "https://" not in everything and "//cdn" not in everything
    assert "<script>" not in html  # no inline script (the policy would block it anyway)


def test_other_paths_and_methods_under_pos_are_refused(client):
    assert client.get("/pos/other.js").status_code == 404
    assert client.get("/pos/../api").status_code in (400, 404)
    response = client.post("/pos")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
