"""One OpenAPI document for the whole suite: the services' public paths plus the gateway's own.

Pure functions over plain dicts; api/docs.py fetches the services' documents.
"""
from __future__ import annotations

import copy
from typing import Callable

from .access import is_public
from .routing import is_merchant_route, under

# Paths a service serves to the gateway or to ops, never to the public.
NOT_PUBLIC = ("/internal", "/healthz", "/readyz", "/metrics", "/openapi.json")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": "POST /api/v1/auth/token, then send Authorization: Bearer <token>."},
    "staffBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "Merchant staff (the POS page): POST /api/v1/merchant/staff/token, then "
                                   "Authorization: Bearer <staff token> instead of a signature."},
    "merchantKey": {"type": "apiKey", "in": "header", "name": "X-Shanxing-Key",
                    "description": "The merchant's key_id."},
    "merchantTimestamp": {"type": "apiKey", "in": "header", "name": "X-Shanxing-Timestamp",
                          "description": "Unix seconds; at most 300 s away from the server clock."},
    "merchantNonce": {"type": "apiKey", "in": "header", "name": "X-Shanxing-Nonce",
                      "description": "1 to 128 characters, never reused with the same key."},
    "merchantSignature": {"type": "apiKey", "in": "header", "name": "X-Shanxing-Signature",
                          "description": 'hex HMAC-SHA256(key_secret, METHOD + "\\n" + PATH_WITH_QUERY + '
                                         '"\\n" + TIMESTAMP + "\\n" + NONCE + "\\n" + hex(SHA-256(body)))'},
}
BEARER = [{"bearerAuth": []}]
OPTIONAL_BEARER = [{}, {"bearerAuth": []}]
MERCHANT = [{"merchantKey": [], "merchantTimestamp": [], "merchantNonce": [], "merchantSignature": []}]
MERCHANT_OR_STAFF = MERCHANT + [{"staffBearer": []}]
TOKEN_PATH = "/api/v1/auth/token"
STAFF_TOKEN_PATH = "/api/v1/merchant/staff/token"


def is_public_path(path: str) -> bool:
    return not any(under(path, prefix) for prefix in NOT_PUBLIC)


def security_for(method: str, path: str) -> list:
    if path in (TOKEN_PATH, STAFF_TOKEN_PATH):
        return []
    if is_merchant_route(path):
        return MERCHANT_OR_STAFF
    if is_public(method.upper(), path):
        return OPTIONAL_BEARER
    return BEARER


def _rewrite_refs(node, renames: dict[str, str]):
    if isinstance(node, dict):
        return {key: (renames.get(value, value) if key == "$ref" and isinstance(value, str)
                      else _rewrite_refs(value, renames)) for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _renames_for(merged_components: dict, components: dict, owner: str) -> dict[str, str]:
    """Components whose name is taken by a different definition get the owner's prefix."""
    renames = {}
    for section, items in components.items():
        taken = merged_components.get(section, {})
        for name, definition in (items or {}).items():
            if name in taken and taken[name] != definition:
                new_name, n = f"{owner.capitalize()}{name}", 2
                while new_name in taken or new_name in items:
                    new_name, n = f"{owner.capitalize()}{name}{n}", n + 1
                renames[f"#/components/{section}/{name}"] = f"#/components/{section}/{new_name}"
    return renames


def merge(own: dict, services: dict[str, dict | None], *, title: str = "Shanxing API",
          security: Callable[[str, str], list] = security_for) -> dict:
    """``services`` maps a name to its document, or to None when it could not be fetched."""
    merged: dict = {
        "openapi": own.get("openapi", "3.0.3"),
        "info": {"title": title, "version": own.get("info", {}).get("version", "v1"),
                 "description": "Every public route of Shanxing, served by the gateway."},
        "paths": {}, "tags": [], "components": {},
    }
    unavailable = []
    for owner, document in [("gateway", own), *services.items()]:
        if not isinstance(document, dict):
            unavailable.append(owner)
            continue
        document = copy.deepcopy(document)
        components = document.get("components") or {}
        renames = _renames_for(merged["components"], components, owner)
        if renames:
            document = _rewrite_refs(document, renames)
            components = document.get("components") or {}
        for section, items in components.items():
            target = merged["components"].setdefault(section, {})
            for name, definition in (items or {}).items():
                renamed = renames.get(f"#/components/{section}/{name}", "").rsplit("/", 1)[-1]
                target[renamed or name] = definition
        for path, item in (document.get("paths") or {}).items():
            if is_public_path(path):
                merged["paths"].setdefault(path, {}).update(item)
        known_tags = {tag["name"] for tag in merged["tags"]}
        for tag in document.get("tags") or []:
            if isinstance(tag, dict) and tag.get("name") not in known_tags:
                merged["tags"].append(tag)
                known_tags.add(tag.get("name"))

    merged["components"].setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for path, item in merged["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS and isinstance(operation, dict):
                operation.setdefault("security", security(method, path))
    merged["paths"] = dict(sorted(merged["paths"].items()))
    if unavailable:
        merged["x-unavailable"] = unavailable
    return merged


def operations(document: dict) -> list[dict]:
    """Each operation as {tag, method, path, summary}, for the docs page."""
    found = []
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            tags = operation.get("tags") or ["other"]
            summary = operation.get("summary") or (operation.get("description") or "").split("\n", 1)[0]
            security = operation.get("security")
            found.append({"tag": tags[0], "method": method.upper(), "path": path, "summary": summary,
                          "auth": describe_security(security)})
    return found


def describe_security(security) -> str:
    if not security:
        return "public"
    if security == OPTIONAL_BEARER:
        return "public (token optional)"
    if any("merchantSignature" in requirement for requirement in security):
        return "merchant signature or staff token"
    return "bearer token"
