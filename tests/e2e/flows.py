"""Steps of the public flow shared by the end-to-end tests."""
from __future__ import annotations

import itertools
import time
from datetime import datetime, timedelta, timezone

from .harness import Client, MerchantClient, eventually, phone_number, valid_id_number

_seq = itertools.count(int(time.time()) % 100000 * 100)


def register_volunteer(anon: Client, name: str = "王小明", **extra) -> tuple[dict, Client]:
    n = next(_seq)
    body = {"name": name, "id_number": valid_id_number(n), "phone": phone_number(n),
            "password": "correct-horse-9", "region_code": "110105", "skills": ["first_aid"],
            "preferences": ["elderly"]}
    body.update(extra)
    resp = anon.post("/api/v1/volunteers", body)
    assert resp.status_code == 201, resp.text
    return resp.json(), anon.login(body["phone"], body["password"])


def approved_organization(ops: Client, organizer: Client, organizer_id: str, *, kind: str = "regional",
                          region_code: str = "110105") -> dict:
    resp = organizer.post("/api/v1/organizations", {"name": "朝阳区志愿服务队", "kind": kind,
                                                    "parent_id": None, "region_code": region_code})
    assert resp.status_code == 201, resp.text
    org = resp.json()
    resp = ops.post(f"/api/v1/organizations/{org['id']}/approve")
    assert resp.status_code == 200, resp.text
    resp = ops.post(f"/api/v1/organizations/{org['id']}/admins", {"volunteer_id": organizer_id})
    assert resp.status_code in (201, 409), resp.text  # the applicant may already be its admin
    return resp.json() if resp.status_code == 201 else org | {"status": "approved"}


def activity_body(org_id: str, *, capacity: int = 10, starts_in: timedelta = timedelta(seconds=3),
                  **extra) -> dict:
    """An activity at (39.92, 116.44) ending 3 h from now."""
    now = datetime.now(timezone.utc)
    return {"organization_id": org_id, "title": "社区助老服务", "category": "elderly",
            "description": "陪伴社区老人，协助理发和体检。", "address": "朝阳区某社区服务站",
            "latitude": 39.92, "longitude": 116.44,
            "starts_at": (now + starts_in).isoformat(), "ends_at": (now + timedelta(hours=3)).isoformat(),
            "capacity": capacity, "skills": [], **extra}


def published_activity(ops: Client, organizer: Client, org_id: str, *, capacity: int = 10,
                       starts_in: timedelta = timedelta(seconds=3)) -> dict:
    body = activity_body(org_id, capacity=capacity, starts_in=starts_in)
    resp = organizer.post("/api/v1/activities", body)
    assert resp.status_code == 201, resp.text
    activity = resp.json()
    assert activity["status"] == "pending_review" and activity["signed_up"] == 0
    resp = ops.post(f"/api/v1/activities/{activity['id']}/approve")
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "published"
    return resp.json()


def wait_until_started(activity: dict) -> None:
    starts = datetime.fromisoformat(activity["starts_at"])
    delay = (starts - datetime.now(timezone.utc)).total_seconds()
    if delay > 0:
        time.sleep(delay + 0.2)


def volunteer_with_points(anon: Client, ops: Client, name: str, hours: float, **extra) -> tuple[dict, Client]:
    """A volunteer whose points came the only way points come: hours confirmed in an activity
    (`extra`: registration fields, e.g. the phone and password a page signs in with)."""
    volunteer, me = register_volunteer(anon, name=name, **extra)
    organizer_profile, organizer = register_volunteer(anon, name="张组织")
    org = approved_organization(ops, organizer, organizer_profile["id"])
    activity = published_activity(ops, organizer, org.get("id") or org["organization_id"], capacity=3)
    assert me.post(f"/api/v1/activities/{activity['id']}/signups").status_code == 201
    wait_until_started(activity)
    resp = organizer.post(f"/api/v1/activities/{activity['id']}/hours",
                          {"records": [{"volunteer_id": volunteer["id"], "hours": hours}]})
    assert resp.status_code == 201, resp.text
    points = round(hours * 10)
    assert eventually(lambda: me.get("/api/v1/points/me").json()["balance"] == points), "points never arrived"
    return volunteer, me


def merchant_with_goods(ops: Client, base_url: str, goods: list[dict], name: str = "爱心超市") -> tuple[dict, MerchantClient]:
    """A merchant opened by ops, its goods added through its signed requests; (merchant, its till)."""
    merchant = ops.post("/api/v1/merchants", {"name": name, "address": "朝阳区某街 1 号"}).json()
    till = MerchantClient(base_url, merchant["key_id"], merchant["key_secret"])
    for good in goods:
        assert till.request("POST", "/api/v1/merchant/goods", good).status_code == 201
    return merchant, till
