"""Two-phase redemptions through the gateway: a signed hold, then capture or void; the volunteer
sees the held points; a void gives them back."""
import uuid

import pytest

from .flows import approved_organization, published_activity, register_volunteer, wait_until_started
from .harness import MerchantClient, eventually

pytestmark = pytest.mark.e2e


def test_hold_capture_and_void_through_the_gateway(suite, anon, ops):
    volunteer, me = register_volunteer(anon, name="孙志愿")
    organizer_profile, organizer = register_volunteer(anon, name="周组织")
    org = approved_organization(ops, organizer, organizer_profile["id"])
    activity = published_activity(ops, organizer, org.get("id") or org["organization_id"])
    assert me.post(f"/api/v1/activities/{activity['id']}/signups").status_code == 201
    wait_until_started(activity)
    resp = organizer.post(f"/api/v1/activities/{activity['id']}/hours",
                          {"records": [{"volunteer_id": volunteer["id"], "hours": 2.5}]})
    assert resp.status_code == 201, resp.text
    assert eventually(lambda: me.get("/api/v1/points/me").json()["balance"] == 25)

    merchant = ops.post("/api/v1/merchants", {"name": "爱心驿站", "address": "朝阳区某街 3 号"}).json()
    till = MerchantClient(suite.url, merchant["key_id"], merchant["key_secret"])
    assert till.request("POST", "/api/v1/merchant/goods",
                        {"sku": "haircut", "name": "理发券", "points": 10, "stock": 5}).status_code == 201

    def hold(quantity):
        code = me.post("/api/v1/points/redemption-codes").json()["code"]
        resp = till.request("POST", "/api/v1/merchant/redemptions",
                            {"code": code, "items": [{"sku": "haircut", "quantity": quantity}], "hold": True},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
        assert resp.status_code == 201 and resp.json()["status"] == "pending", resp.text
        return resp.json()

    kept, dropped = hold(1), hold(1)
    assert me.get("/api/v1/points/me").json()["balance"] == 5
    mine = me.get("/api/v1/points/me/holds").json()["items"]
    assert {(h["id"], h["merchant_name"]) for h in mine} == {(kept["id"], "爱心驿站"), (dropped["id"], "爱心驿站")}
    assert {h["id"] for h in till.request("GET", "/api/v1/merchant/redemption-holds").json()["items"]} == {
        kept["id"], dropped["id"]}

    captured = till.request("POST", f"/api/v1/merchant/redemptions/{kept['id']}/capture")
    assert captured.status_code == 200 and captured.json()["status"] == "completed", captured.text
    voided = till.request("POST", f"/api/v1/merchant/redemptions/{dropped['id']}/void")
    assert voided.status_code == 200 and voided.json()["status"] == "voided", voided.text
    assert till.request("POST", f"/api/v1/merchant/redemptions/{dropped['id']}/capture").status_code == 409

    assert me.get("/api/v1/points/me").json() == {"balance": 15, "earned": 25, "redeemed": 10, "debt": 0}
    assert me.get("/api/v1/points/me/holds").json()["items"] == []
    assert [r["id"] for r in till.request("GET", "/api/v1/merchant/redemptions").json()["items"]] == [kept["id"]]
    stock = {g["sku"]: g["stock"] for g in till.request("GET", "/api/v1/merchant/goods").json()["items"]}
    assert stock == {"haircut": 4}
    # a person's token cannot capture, and another merchant cannot see the hold
    assert ops.post(f"/api/v1/merchant/redemptions/{kept['id']}/capture").status_code == 401
    other = ops.post("/api/v1/merchants", {"name": "别家", "address": "x"}).json()
    stranger = MerchantClient(suite.url, other["key_id"], other["key_secret"])
    assert stranger.request("POST", f"/api/v1/merchant/redemptions/{kept['id']}/void").status_code == 404
