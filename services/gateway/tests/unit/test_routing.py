import pytest

from shanxing_gateway.access import is_public, required_role
from shanxing_gateway.routing import ROUTES, is_merchant_route, service_for


@pytest.mark.parametrize("path, service", [
    ("/api/v1/volunteers", "registry"),
    ("/api/v1/volunteers/me", "registry"),
    ("/api/v1/volunteers/me/recommendations", "activities"),
    ("/api/v1/volunteers/me/recommendations/extra", "activities"),
    ("/api/v1/organizations/o1/approve", "registry"),
    ("/api/v1/teams", "registry"),
    ("/api/v1/certificates/ABC123", "registry"),
    ("/api/v1/activities/a1/signups", "activities"),
    ("/api/v1/leaderboards", "activities"),
    ("/api/v1/demands/d1", "activities"),
    ("/api/v1/projects", "activities"),
    ("/api/v1/reviews", "activities"),
    ("/api/v1/statistics/regions", "activities"),
    ("/api/v1/points/me/entries", "points"),
    ("/api/v1/merchants", "points"),
    ("/api/v1/merchant/goods", "points"),
])
def test_the_longest_prefix_wins(path, service):
    assert service_for(path) == service


@pytest.mark.parametrize("path", [
    "/api/v1/volunteersX", "/api/v1/unknown", "/api/v2/volunteers", "/api", "/", "/internal/feed",
    "/internal/auth/verify", "/api/v1/auth",
])
def test_unknown_and_internal_paths_have_no_service(path):
    assert service_for(path) is None


def test_every_route_is_under_api_v1():
    assert all(prefix.startswith("/api/v1/") for prefix in ROUTES)


def test_merchant_routes_are_matched_by_whole_segments():
    assert is_merchant_route("/api/v1/merchant")
    assert is_merchant_route("/api/v1/merchant/redemptions/r1/refund")
    assert not is_merchant_route("/api/v1/merchants")
    assert not is_merchant_route("/api/v1/merchantgoods")


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/v1/volunteers"),
    ("GET", "/api/v1/certificates/CERT-1"),
    ("GET", "/api/v1/activities"),
    ("HEAD", "/api/v1/activities"),
    ("GET", "/api/v1/activities/a1"),
    ("GET", "/api/v1/leaderboards"),
    ("GET", "/api/v1/demands/evaluations"),
])
def test_public_routes(method, path):
    assert is_public(method, path)


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/volunteers"),
    ("GET", "/api/v1/volunteers/me"),
    ("POST", "/api/v1/activities"),
    ("GET", "/api/v1/activities/a1/signups"),
    ("POST", "/api/v1/activities/a1/signups"),
    ("GET", "/api/v1/certificates"),
    ("GET", "/api/v1/points/me"),
    ("POST", "/api/v1/merchants"),
    ("GET", "/api/v1/demands"),
    ("GET", "/api/v1/demands/d1"),
])
def test_everything_else_needs_a_token(method, path):
    assert not is_public(method, path)


def test_creating_merchants_needs_ops():
    assert required_role("POST", "/api/v1/merchants") == "ops"
    assert required_role("POST", "/api/v1/merchants/") == "ops"
    assert required_role("GET", "/api/v1/merchants") is None
    assert required_role("POST", "/api/v1/organizations") is None
