"""GET /points/me, /points/me/entries and POST /points/redemption-codes."""
from datetime import datetime, timedelta, timezone

from shanxing_common.testing import deliver, headers_for
from sqlalchemy import select

from shanxing_points.adapters.models import redemption_codes
from shanxing_points.domain.codes import code_hash


def test_me_needs_a_person(client):
    assert client.get("/api/v1/points/me").status_code == 401
    merchant = headers_for("merchant", subject="mk_x", merchant_id="m1")
    resp = client.get("/api/v1/points/me", headers=merchant)
    assert resp.status_code == 403 and resp.mimetype == "application/problem+json"


def test_me_without_account_catches_up_then_answers_zeros(app, world):
    asked = []
    ctx = app.extensions["shanxing"]
    ctx.catch_up = lambda producer: asked.append(producer) or 0
    assert world.points("nobody-yet") == {"balance": 0, "earned": 0, "redeemed": 0, "debt": 0}
    assert sorted(asked) == ["activities", "registry"]


def test_me_finds_the_account_a_catch_up_delivered(app, world):
    def catch_up(producer):
        if producer == "registry":
            deliver(app, "registry.volunteer_registered.v1", {"volunteer_id": "late", "display_name": "赵*"})
        if producer == "activities":
            deliver(app, "activities.hours_confirmed.v1",
                    {"record_id": "r-late", "volunteer_id": "late", "hours": "1.00"})
        return 1

    app.extensions["shanxing"].catch_up = catch_up
    assert world.points("late")["balance"] == 10


def test_entries_newest_first_with_cursor_pagination(world):
    volunteer_id = world.volunteer()
    records = [world.confirm(volunteer_id, f"{n}.00") for n in (1, 2, 3)]
    headers = world.person(volunteer_id)
    first = world.client.get("/api/v1/points/me/entries?limit=2", headers=headers).json
    assert [e["points"] for e in first["items"]] == [30, 20]
    assert first["items"][0]["transfer_id"] == f"hours:{records[2]}"
    assert first["items"][0]["balance_after"] == 60 and first["items"][0]["kind"] == "hours"
    assert first["items"][0]["created_at"].endswith("+00:00")
    second = world.client.get(f"/api/v1/points/me/entries?limit=2&cursor={first['next']}", headers=headers).json
    assert [e["points"] for e in second["items"]] == [10] and second["next"] is None


def test_entries_refuse_bad_arguments(world):
    headers = world.person(world.volunteer())
    resp = world.client.get("/api/v1/points/me/entries?cursor=%%%", headers=headers)
    assert resp.status_code == 400 and "cursor" in resp.json["errors"]
    resp = world.client.get("/api/v1/points/me/entries?limit=201", headers=headers)
    assert resp.status_code == 400 and "limit" in resp.json["errors"]
    empty = world.client.get("/api/v1/points/me/entries", headers=world.person("no-account")).json
    assert empty == {"items": [], "next": None}


def test_codes_are_one_time_digits_stored_hashed_and_several_may_live(app, world):
    volunteer_id = world.volunteer()
    headers = world.person(volunteer_id)
    first = world.client.post("/api/v1/points/redemption-codes", headers=headers)
    second = world.client.post("/api/v1/points/redemption-codes", headers=headers)
    assert first.status_code == second.status_code == 201
    code = first.json["code"]
    assert len(code) == 12 and code.isdigit() and code != second.json["code"]
    expires_at = datetime.fromisoformat(first.json["expires_at"])
    now = datetime.now(timezone.utc)
    assert now + timedelta(seconds=290) < expires_at <= now + timedelta(seconds=301)
    with app.extensions["shanxing"].db.read() as s:
        rows = s.execute(select(redemption_codes.c.code_hash, redemption_codes.c.volunteer_id)).all()
    assert (code_hash(code), volunteer_id) in rows
    assert all(code not in row.code_hash for row in rows)


def test_codes_need_a_person(client):
    assert client.post("/api/v1/points/redemption-codes").status_code == 401
    ops_service = headers_for("service", subject="gateway")
    assert client.post("/api/v1/points/redemption-codes", headers=ops_service).status_code == 403


def test_a_live_code_is_shown_as_a_qr_image_to_its_owner_only(app, world):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    from shanxing_points.adapters.models import redemption_codes
    from shanxing_points.domain.codes import code_hash

    volunteer_id, other_id = world.volunteer(), world.volunteer("李*")
    code = world.code(volunteer_id)
    resp = world.client.get(f"/api/v1/points/redemption-codes/{code}/qr.svg", headers=world.person(volunteer_id))
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert resp.get_data(as_text=True).startswith("<svg") and resp.headers["Cache-Control"] == "no-store"
    assert code not in resp.get_data(as_text=True)
    assert world.client.get(f"/api/v1/points/redemption-codes/{code}/qr.svg",
                            headers=world.person(other_id)).status_code == 404
    assert world.client.get(f"/api/v1/points/redemption-codes/{code}/qr.svg").status_code == 401
    for bad in ("000000000000", "12ab"):
        resp = world.client.get(f"/api/v1/points/redemption-codes/{bad}/qr.svg", headers=world.person(volunteer_id))
        assert resp.status_code == 404 and "code" in resp.json["errors"]
    with app.extensions["shanxing"].db.transaction() as s:
        s.execute(update(redemption_codes).where(redemption_codes.c.code_hash == code_hash(code))
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert world.client.get(f"/api/v1/points/redemption-codes/{code}/qr.svg",
                            headers=world.person(volunteer_id)).status_code == 404


def test_a_used_code_has_no_qr_image(world):
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "1.00")
    merchant = world.merchant()
    world.good(merchant, sku="soap", points=5)
    code = world.code(volunteer_id)
    assert world.redeem(merchant, code, [{"sku": "soap", "quantity": 1}]).status_code == 201
    assert world.client.get(f"/api/v1/points/redemption-codes/{code}/qr.svg",
                            headers=world.person(volunteer_id)).status_code == 404
