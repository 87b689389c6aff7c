import re

from .conftest import closed_port_url

SERVICE_DOCS = {
    "registry": {"openapi": "3.0.3", "info": {"title": "registry", "version": "v1"},
                 "tags": [{"name": "volunteers"}],
                 "paths": {"/api/v1/volunteers": {"post": {"summary": "Register a volunteer",
                                                           "tags": ["volunteers"]}},
                           "/internal/auth/verify": {"post": {"summary": "secret"}},
                           "/healthz": {"get": {"summary": "alive"}}},
                 "components": {"schemas": {"Volunteer": {"type": "object"}}}},
    "activities": {"openapi": "3.0.3", "info": {"title": "activities", "version": "v1"},
                   "tags": [{"name": "activities"}],
                   "paths": {"/api/v1/activities": {"get": {"summary": "List <published> activities",
                                                            "tags": ["activities"]}}},
                   "components": {"schemas": {"Activity": {"type": "object"}}}},
    "points": {"openapi": "3.0.3", "info": {"title": "points", "version": "v1"}, "tags": [{"name": "merchant"}],
               "paths": {"/api/v1/merchant/goods": {"get": {"summary": "List goods", "tags": ["merchant"]}},
                         "/internal/merchant-keys/{key_id}": {"get": {"summary": "key"}}},
               "components": {"schemas": {"Goods": {"type": "object"}}}},
}


def test_healthz(client):
    assert client.get("/healthz").status_code == 200


def test_ready_when_every_service_is_ready(client, upstreams):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert all(d.state.requests_to("/readyz") for d in upstreams.values())


def test_not_ready_lists_the_services_that_are_not(make_gateway, upstreams):
    upstreams["points"].state.ready = False
    app = make_gateway(peers={"registry": upstreams["registry"].url, "activities": closed_port_url(),
                              "points": upstreams["points"].url})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    problems = response.get_json()["problems"]
    assert set(problems) == {"activities", "points"}
    assert "503" in problems["points"]


def test_one_merged_openapi_document(client, upstreams):
    for name, document in SERVICE_DOCS.items():
        upstreams[name].state.openapi = document
    doc = client.get("/openapi.json").get_json()
    assert set(doc["paths"]) == {"/api/v1/auth/token", "/api/v1/merchant/staff/token", "/api/v1/volunteers",
                                 "/api/v1/activities", "/api/v1/merchant/goods"}
    assert {"Volunteer", "Activity", "Goods"} <= set(doc["components"]["schemas"])
    assert {"bearerAuth", "merchantSignature"} <= set(doc["components"]["securitySchemes"])
    assert "x-unavailable" not in doc
    token_op = doc["paths"]["/api/v1/auth/token"]["post"]
    assert token_op["security"] == []
    assert doc["paths"]["/api/v1/merchant/staff/token"]["post"]["security"] == []
    assert {"merchantSignature": []} | {"merchantKey": [], "merchantTimestamp": [], "merchantNonce": []} \
        in doc["paths"]["/api/v1/merchant/goods"]["get"]["security"]
    assert {"staffBearer": []} in doc["paths"]["/api/v1/merchant/goods"]["get"]["security"]
    assert "TokenCreate" in doc["components"]["schemas"]


def test_services_that_are_down_are_skipped_and_listed(make_gateway, upstreams):
    upstreams["registry"].state.openapi = SERVICE_DOCS["registry"]
    app = make_gateway(peers={"registry": upstreams["registry"].url, "activities": closed_port_url(),
                              "points": upstreams["points"].url})  # points answers 404 for its document
    doc = app.test_client().get("/openapi.json").get_json()
    assert doc["x-unavailable"] == ["activities", "points"]
    assert "/api/v1/volunteers" in doc["paths"]


def test_the_docs_page_lists_operations_and_needs_no_network(client, upstreams):
    for name, document in SERVICE_DOCS.items():
        upstreams[name].state.openapi = document
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for text in ("/api/v1/volunteers", "Register a volunteer", "/api/v1/merchant/goods", "List goods",
                 "/api/v1/auth/token", "merchant signature"):
        assert text in page
    assert "List &lt;published&gt; activities" in page  # summaries are escaped
    assert "/internal/" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
