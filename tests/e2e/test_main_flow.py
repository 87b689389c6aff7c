"""The flow of API.md through the gateway, against the real services started by `make run`."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from .flows import approved_organization, published_activity, register_volunteer, wait_until_started
from .harness import Client, MerchantClient, eventually

pytestmark = pytest.mark.e2e


def test_health_and_docs(suite, anon):
    assert anon.get("/healthz").status_code == 200
    assert anon.get("/readyz").status_code == 200
    spec = anon.get("/openapi.json").json()
    assert "/api/v1/volunteers" in spec["paths"] and "/api/v1/merchant/redemptions" in spec["paths"]


def test_volunteer_to_points_to_redemption_and_refund(suite, anon, ops):
    volunteer, me = register_volunteer(anon, name="李志愿")
    assert volunteer["id_number"].count("*") == 8 and volunteer["phone"][3:7] == "****"
    profile = me.get("/api/v1/volunteers/me").json()
    assert profile["id"] == volunteer["id"] and profile["id_number"] == volunteer["id_number"]

    organizer_profile, organizer = register_volunteer(anon, name="张组织")
    org = approved_organization(ops, organizer, organizer_profile["id"])
    org_id = org.get("id") or org["organization_id"]
    activity = published_activity(ops, organizer, org_id, capacity=3)
    listed = anon.get("/api/v1/activities?status=published").json()
    assert activity["id"] in {a["id"] for a in listed["items"]}

    resp = me.post(f"/api/v1/activities/{activity['id']}/signups")
    assert resp.status_code == 201 and resp.json()["status"] == "confirmed", resp.text
    assert me.post(f"/api/v1/activities/{activity['id']}/signups").status_code == 409  # already joined
    assert anon.get(f"/api/v1/activities/{activity['id']}").json()["signed_up"] == 1

    wait_until_started(activity)
    resp = organizer.post(f"/api/v1/activities/{activity['id']}/hours",
                          {"records": [{"volunteer_id": volunteer["id"], "hours": 2.5}]})
    assert resp.status_code == 201, resp.text
    again = organizer.post(f"/api/v1/activities/{activity['id']}/hours",
                           {"records": [{"volunteer_id": volunteer["id"], "hours": 2.5}]})
    assert again.status_code == 409

    # Points reach the balance only through activities.hours_confirmed.v1: eventually, once.
    balance = eventually(lambda: (b := me.get("/api/v1/points/me").json())["balance"] == 25 and b)
    assert balance and balance["earned"] == 25 and balance["redeemed"] == 0
    entries = me.get("/api/v1/points/me/entries").json()["items"]
    assert [e["points"] for e in entries] == [25]
    assert eventually(lambda: me.get("/api/v1/volunteers/me").json()["total_hours"] in ("2.50", 2.5))
    board = anon.get("/api/v1/leaderboards?period=week&scope=volunteer").json()["items"]
    assert board[0]["volunteer_id"] == volunteer["id"] and "*" in board[0]["name"]

    merchant = ops.post("/api/v1/merchants", {"name": "爱心超市", "address": "朝阳区某街 1 号"}).json()
    till = MerchantClient(suite.url, merchant["key_id"], merchant["key_secret"])
    assert till.request("POST", "/api/v1/merchant/goods",
                        {"sku": "rice-5kg", "name": "大米 5kg", "points": 10, "stock": 3}).status_code == 201
    assert [g["sku"] for g in till.request("GET", "/api/v1/merchant/goods").json()["items"]] == ["rice-5kg"]

    code = me.post("/api/v1/points/redemption-codes").json()["code"]
    key = str(uuid.uuid4())
    body = {"code": code, "items": [{"sku": "rice-5kg", "quantity": 2}]}
    first = till.request("POST", "/api/v1/merchant/redemptions", body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    redemption = first.json()
    assert redemption["points"] == 20 and redemption["status"] == "completed"
    assert set(redemption["volunteer"]) == {"display_name"} and "*" in redemption["volunteer"]["display_name"]
    replay = till.request("POST", "/api/v1/merchant/redemptions", body, headers={"Idempotency-Key": key})
    assert replay.status_code == 201 and replay.json()["id"] == redemption["id"]
    other = till.request("POST", "/api/v1/merchant/redemptions", {**body, "items": [{"sku": "rice-5kg", "quantity": 1}]},
                         headers={"Idempotency-Key": key})
    assert other.status_code == 409
    assert me.get("/api/v1/points/me").json()["balance"] == 5
    assert till.request("GET", "/api/v1/merchant/redemptions").json()["items"][0]["id"] == redemption["id"]

    refund = till.request("POST", f"/api/v1/merchant/redemptions/{redemption['id']}/refund")
    assert refund.status_code == 200 and refund.json()["status"] == "refunded", refund.text
    assert till.request("POST", f"/api/v1/merchant/redemptions/{redemption['id']}/refund").status_code == 409
    assert me.get("/api/v1/points/me").json()["balance"] == 25


def test_fifty_concurrent_signups_for_five_places_confirm_exactly_five(suite, anon, ops):
    organizer_profile, organizer = register_volunteer(anon, name="赵组织")
    org = approved_organization(ops, organizer, organizer_profile["id"])
    activity = published_activity(ops, organizer, org.get("id") or org["organization_id"], capacity=5,
                                  starts_in=__import__("datetime").timedelta(hours=1))
    with ThreadPoolExecutor(10) as pool:
        volunteers = list(pool.map(lambda i: register_volunteer(Client(suite.url), name="钱多多")[1], range(50)))
    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(
            lambda c: c.post(f"/api/v1/activities/{activity['id']}/signups").status_code, volunteers))
    assert sorted(statuses).count(201) == 5 and statuses.count(409) == 45, statuses
    assert anon.get(f"/api/v1/activities/{activity['id']}").json()["signed_up"] == 5


def test_replayed_merchant_nonce_is_refused(suite, ops):
    merchant = ops.post("/api/v1/merchants", {"name": "便民理发店", "address": "朝阳区某街 2 号"}).json()
    till = MerchantClient(suite.url, merchant["key_id"], merchant["key_secret"])
    nonce = uuid.uuid4().hex
    assert till.request("GET", "/api/v1/merchant/goods", nonce=nonce).status_code == 200
    replay = till.request("GET", "/api/v1/merchant/goods", nonce=nonce)
    assert replay.status_code == 401
    assert replay.headers["Content-Type"].startswith("application/problem+json")
    forged = MerchantClient(suite.url, merchant["key_id"], "not-the-secret")
    assert forged.request("GET", "/api/v1/merchant/goods").status_code == 401
    # A merchant key reaches the merchant routes only; a person's token never reaches them.
    assert till.request("GET", "/api/v1/points/me").status_code in (401, 403)
    assert ops.get("/api/v1/merchant/goods").status_code == 401


def test_bad_input_gets_problem_json_naming_the_field(suite, anon):
    resp = anon.post("/api/v1/volunteers", {"name": "王五", "id_number": "110105194912310021",
                                            "phone": "12345", "password": "short", "region_code": "110105",
                                            "skills": [], "preferences": []})
    assert resp.status_code == 400
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    problem = resp.json()
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert {"id_number", "phone", "password"} <= set(problem["errors"])
    assert anon.post("/api/v1/auth/token", {"phone": "13800000000", "password": "wrong-password"}).status_code == 401
    assert anon.get("/api/v1/volunteers/me").status_code == 401
