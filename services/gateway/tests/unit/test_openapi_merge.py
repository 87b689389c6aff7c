from shanxing_gateway.openapi import MERCHANT_OR_STAFF, OPTIONAL_BEARER, merge, operations

OWN = {"openapi": "3.0.3", "info": {"title": "Shanxing gateway", "version": "v1"},
       "paths": {"/api/v1/auth/token": {"post": {"summary": "Get a token", "tags": ["auth"]}}},
       "components": {"schemas": {"Token": {"type": "object"}}}, "tags": [{"name": "auth"}]}


def service_doc(paths: dict, schemas: dict, tag: str) -> dict:
    return {"openapi": "3.0.3", "info": {"title": tag, "version": "v1"}, "paths": paths,
            "components": {"schemas": schemas}, "tags": [{"name": tag}]}


REGISTRY = service_doc({
    "/api/v1/volunteers": {"post": {"summary": "Register", "tags": ["volunteers"],
                                    "responses": {"201": {"content": {"application/json": {
                                        "schema": {"$ref": "#/components/schemas/Volunteer"}}}}}}},
    "/api/v1/volunteers/me": {"get": {"summary": "Me", "tags": ["volunteers"]}},
    "/internal/auth/verify": {"post": {"summary": "verify"}},
    "/healthz": {"get": {}}, "/readyz": {"get": {}}, "/metrics": {"get": {}}, "/openapi.json": {"get": {}},
}, {"Volunteer": {"type": "object", "properties": {"id": {"type": "string"}}},
    "Error": {"type": "object", "properties": {"detail": {"type": "string"}}}}, "volunteers")

POINTS = service_doc({
    "/api/v1/merchant/goods": {"get": {"summary": "List goods", "tags": ["merchant"],
                                       "responses": {"default": {"content": {"application/json": {
                                           "schema": {"$ref": "#/components/schemas/Error"}}}}}}},
    "/internal/merchant-keys/{key_id}": {"get": {}},
}, {"Error": {"type": "object", "properties": {"message": {"type": "string"}}}}, "merchant")


def test_public_paths_of_every_service_are_merged_and_private_ones_dropped():
    doc = merge(OWN, {"registry": REGISTRY, "points": POINTS})
    assert set(doc["paths"]) == {"/api/v1/auth/token", "/api/v1/volunteers", "/api/v1/volunteers/me",
                                 "/api/v1/merchant/goods"}
    assert [t["name"] for t in doc["tags"]] == ["auth", "volunteers", "merchant"]
    assert "x-unavailable" not in doc


def test_clashing_schemas_are_renamed_and_their_references_follow():
    doc = merge(OWN, {"registry": REGISTRY, "points": POINTS})
    schemas = doc["components"]["schemas"]
    assert schemas["Error"] == REGISTRY["components"]["schemas"]["Error"]
    assert schemas["PointsError"] == POINTS["components"]["schemas"]["Error"]
    goods = doc["paths"]["/api/v1/merchant/goods"]["get"]
    assert goods["responses"]["default"]["content"]["application/json"]["schema"]["$ref"] == \
        "#/components/schemas/PointsError"
    volunteer = doc["paths"]["/api/v1/volunteers"]["post"]
    assert volunteer["responses"]["201"]["content"]["application/json"]["schema"]["$ref"] == \
        "#/components/schemas/Volunteer"
    assert POINTS["paths"]["/api/v1/merchant/goods"]["get"]["responses"]["default"]["content"][
        "application/json"]["schema"]["$ref"] == "#/components/schemas/Error"  # inputs untouched


def test_services_that_did_not_answer_are_listed():
    doc = merge(OWN, {"registry": REGISTRY, "activities": None, "points": None})
    assert doc["x-unavailable"] == ["activities", "points"]
    assert "/api/v1/volunteers" in doc["paths"]


def test_security_schemes_and_per_operation_requirements():
    doc = merge(OWN, {"registry": REGISTRY, "points": POINTS})
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert {schemes[n]["name"] for n in ("merchantKey", "merchantTimestamp", "merchantNonce",
                                         "merchantSignature")} == {
        "X-Shanxing-Key", "X-Shanxing-Timestamp", "X-Shanxing-Nonce", "X-Shanxing-Signature"}
    assert doc["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    assert doc["paths"]["/api/v1/volunteers"]["post"]["security"] == OPTIONAL_BEARER
    assert doc["paths"]["/api/v1/volunteers/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert doc["paths"]["/api/v1/merchant/goods"]["get"]["security"] == MERCHANT_OR_STAFF


def test_operations_are_listed_for_the_docs_page():
    ops = operations(merge(OWN, {"registry": REGISTRY}))
    assert {"tag": "volunteers", "method": "GET", "path": "/api/v1/volunteers/me", "summary": "Me",
            "auth": "bearer token"} in ops
    assert {"tag": "auth", "method": "POST", "path": "/api/v1/auth/token", "summary": "Get a token",
            "auth": "public"} in ops
