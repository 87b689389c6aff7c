"""On-site check-in and check-out: rotating code (also as a QR image), position, suggested and
verified hours."""
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import zxingcpp

from shanxing_common.testing import outbox_events

HERE = {"latitude": 39.9202, "longitude": 116.4401}  # ~25 m from the activity (39.92, 116.44)
FAR = {"latitude": 39.93, "longitude": 116.44}  # ~1.1 km away

SVG = "{http://www.w3.org/2000/svg}"
# qrcode's SvgPathImage draws each dark module as one square: "Mx,yHx+1Vy+1Hxz".
MODULE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H\1z")
PIXELS_PER_MODULE = 4


def dark_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """(image side in modules, the dark modules) of the SVG's path; anything else in it fails."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg", root.tag
    _, _, width, height = (int(v) for v in root.attrib["viewBox"].split())
    assert width == height
    path = "".join(p.attrib["d"] for p in root.iter(f"{SVG}path"))
    squares = MODULE.findall(path)
    assert "".join(f"M{x},{y}H{r}V{b}H{x}z" for x, y, r, b in squares) == path, "unexpected path commands"
    assert all(int(r) == int(x) + 1 and int(b) == int(y) + 1 for x, y, r, b in squares)
    return width, {(int(x), int(y)) for x, y, _, _ in squares}


def decode_qr_svg(svg: str) -> list[str]:
    """The texts of every QR code ZXing finds in the drawn image."""
    side, dark = dark_modules(svg)
    pixels = bytearray(b"\xff" * (side * PIXELS_PER_MODULE) ** 2)
    row_bytes = side * PIXELS_PER_MODULE
    for x, y in dark:
        for dy in range(PIXELS_PER_MODULE):
            start = (y * PIXELS_PER_MODULE + dy) * row_bytes + x * PIXELS_PER_MODULE
            pixels[start:start + PIXELS_PER_MODULE] = b"\x00" * PIXELS_PER_MODULE
    image = memoryview(bytes(pixels)).cast("B", shape=[row_bytes, row_bytes])
    return [found.text for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def code(world, activity_id, admin_id):
    resp = world.client.get(f"/api/v1/activities/{activity_id}/checkin-code", headers=world.person(admin_id))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def attend(world, action, activity_id, volunteer_id, the_code, where=HERE):
    return world.client.post(f"/api/v1/activities/{activity_id}/{action}", json={"code": the_code, **where},
                             headers=world.person(volunteer_id))


def signed_up_activity(world):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)  # starts in 1 h, lasts 3 h
    volunteer = world.volunteer()
    assert world.sign_up(activity["id"], volunteer).status_code == 201
    return admin_id, activity, volunteer


def test_check_in_and_out_give_suggested_and_verified_hours(world):
    admin_id, activity, volunteer = signed_up_activity(world)
    other = world.volunteer()
    world.sign_up(activity["id"], other)
    world.clock.advance(minutes=55)
    shown = code(world, activity["id"], admin_id)
    assert len(shown["code"]) == 6 and shown["code"].isdigit() and shown["valid_until"]
    resp = attend(world, "checkin", activity["id"], volunteer, shown["code"])
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["checked_in_at"] and resp.get_json()["checked_out_at"] is None
    world.clock.advance(hours=2, minutes=13)
    resp = attend(world, "checkout", activity["id"], volunteer, code(world, activity["id"], admin_id)["code"])
    assert resp.status_code == 200 and resp.get_json()["suggested_hours"] == 2.25

    listing = world.client.get(f"/api/v1/activities/{activity['id']}/signups", headers=world.person(admin_id))
    assert listing.status_code == 200
    rows = {r["volunteer_id"]: r for r in listing.get_json()["items"]}
    assert rows[volunteer]["suggested_hours"] == 2.25 and rows[volunteer]["status"] == "confirmed"
    assert rows[volunteer]["checked_in_at"] and rows[volunteer]["name"] == "张*明"
    assert rows[other]["suggested_hours"] is None and rows[other]["checked_in_at"] is None

    confirmed = world.client.post(f"/api/v1/activities/{activity['id']}/hours", headers=world.person(admin_id),
                                  json={"records": [{"volunteer_id": volunteer, "hours": 2.25},
                                                    {"volunteer_id": other, "hours": 2}]})
    assert confirmed.status_code == 201
    assert {r["volunteer_id"]: r["verified"] for r in confirmed.get_json()["records"]} == {volunteer: True, other: False}
    events = {e["data"]["volunteer_id"]: e["data"] for e in outbox_events(world.app, "activities.hours_confirmed.v1")}
    assert events[volunteer]["verified"] is True and events[other]["verified"] is False
    assert (events[volunteer]["entry"], events[other]["entry"]) == ("self_checkin", "admin_entry")
    assert {r["volunteer_id"]: r["entry"] for r in confirmed.get_json()["records"]} == {
        volunteer: "self_checkin", other: "admin_entry"}


def test_the_code_rotates_and_the_previous_one_is_still_accepted(world, problem):
    admin_id, activity, volunteer = signed_up_activity(world)
    world.clock.advance(hours=1)
    old = code(world, activity["id"], admin_id)["code"]
    world.clock.advance(seconds=30)
    assert attend(world, "checkin", activity["id"], volunteer, old).status_code == 200
    late = world.volunteer()
    on_site = world.client.post(f"/api/v1/activities/{activity['id']}/signups/onsite",
                                json={"volunteer_id": late}, headers=world.person(admin_id))
    assert on_site.status_code == 201
    world.clock.advance(seconds=30)
    problem(attend(world, "checkin", activity["id"], late, old), 400, "code")


def test_bad_attendance_is_named_and_refused(world, problem):
    admin_id, activity, volunteer = signed_up_activity(world)
    problem(attend(world, "checkin", activity["id"], volunteer, "123456"), 400, "code")  # no code issued yet
    world.clock.advance(hours=1)
    current = code(world, activity["id"], admin_id)["code"]
    wrong = "000000" if current != "000000" else "111111"
    problem(attend(world, "checkin", activity["id"], volunteer, wrong), 400, "code")
    problem(attend(world, "checkin", activity["id"], volunteer, current, FAR), 400, "latitude", "longitude")
    problem(attend(world, "checkin", activity["id"], volunteer, "12ab"), 400, "code")
    problem(attend(world, "checkin", activity["id"], volunteer, current, {"latitude": 91, "longitude": 0}),
            400, "latitude")
    problem(world.client.post(f"/api/v1/activities/{activity['id']}/checkin", json={},
                              headers=world.person(volunteer)), 400, "code", "latitude", "longitude")
    problem(attend(world, "checkout", activity["id"], volunteer, current), 409)  # not checked in
    assert attend(world, "checkin", activity["id"], volunteer, current).status_code == 200
    problem(attend(world, "checkin", activity["id"], volunteer, current), 409)
    problem(attend(world, "checkin", activity["id"], world.volunteer(), current), 409)  # no place
    assert attend(world, "checkout", activity["id"], volunteer, current).status_code == 200
    problem(attend(world, "checkout", activity["id"], volunteer, current), 409)
    problem(attend(world, "checkin", "nope", volunteer, current), 404)


def test_only_the_organizer_gets_the_code_and_the_list(world, problem):
    admin_id, activity, volunteer = signed_up_activity(world)
    problem(world.client.get(f"/api/v1/activities/{activity['id']}/checkin-code", headers=world.person(volunteer)), 403)
    problem(world.client.get(f"/api/v1/activities/{activity['id']}/signups", headers=world.person(volunteer)), 403)
    problem(world.client.get(f"/api/v1/activities/{activity['id']}/signups", headers=world.person(admin_id),
                             query_string={"limit": 0}), 400, "limit")
    problem(world.client.get("/api/v1/activities/nope/checkin-code", headers=world.person(admin_id)), 404)
    pending = world.pending_activity(activity["organization_id"], admin_id)
    problem(world.client.get(f"/api/v1/activities/{pending['id']}/checkin-code", headers=world.person(admin_id)), 409)


def test_check_in_opens_an_hour_before_the_start(world, problem):
    admin_id, org_id = world.organizer()
    start = world.clock.now() + timedelta(hours=3)
    activity = world.published_activity(org_id, admin_id, starts_at=start.isoformat(),
                                        ends_at=(start + timedelta(hours=1)).isoformat())
    volunteer = world.volunteer()
    world.sign_up(activity["id"], volunteer)
    early = problem(attend(world, "checkin", activity["id"], volunteer, code(world, activity["id"], admin_id)["code"]), 409)
    assert "opens" in early["detail"]


def test_the_signup_list_pages(world):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    volunteers = []
    for _ in range(3):
        volunteers.append(world.volunteer())
        world.sign_up(activity["id"], volunteers[-1])
        world.clock.advance(seconds=1)
    path = f"/api/v1/activities/{activity['id']}/signups"
    first = world.client.get(path, query_string={"limit": 2}, headers=world.person(admin_id)).get_json()
    rest = world.client.get(path, query_string={"cursor": first["next"]}, headers=world.person(admin_id)).get_json()
    assert [r["volunteer_id"] for r in first["items"] + rest["items"]] == volunteers and rest["next"] is None


def qr_image(world, activity_id, caller_id):
    return world.client.get(f"/api/v1/activities/{activity_id}/checkin-code/qr.svg", headers=world.person(caller_id))


def test_the_qr_image_carries_the_current_code_and_checks_a_volunteer_in(world):
    admin_id, activity, volunteer = signed_up_activity(world)
    world.clock.advance(minutes=55)
    shown = code(world, activity["id"], admin_id)
    resp = qr_image(world, activity["id"], admin_id)
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert resp.headers["Cache-Control"] == "no-store"
    assert decode_qr_svg(resp.get_data(as_text=True)) == [shown["qr_payload"]]
    payload = urlsplit(shown["qr_payload"])
    assert f"{payload.scheme}:{payload.path}" == "shanxing:checkin"
    assert parse_qs(payload.query) == {"activity": [activity["id"]], "code": [shown["code"]]}
    # what the volunteer's app does with the scanned payload
    scanned = parse_qs(urlsplit(decode_qr_svg(resp.get_data(as_text=True))[0]).query)
    assert attend(world, "checkin", scanned["activity"][0], volunteer, scanned["code"][0]).status_code == 200

    world.clock.advance(seconds=30)
    rotated = decode_qr_svg(qr_image(world, activity["id"], admin_id).get_data(as_text=True))
    assert rotated == [code(world, activity["id"], admin_id)["qr_payload"]] and rotated != [shown["qr_payload"]]


def test_the_qr_image_has_the_codes_permission_and_windows(world, problem):
    admin_id, activity, volunteer = signed_up_activity(world)
    other_admin = world.volunteer("王*组")
    world.organization(other_admin, region_code="310101")  # another city: not a reviewer here either
    problem(qr_image(world, activity["id"], volunteer), 403)
    problem(qr_image(world, activity["id"], other_admin), 403)
    problem(qr_image(world, "nope", admin_id), 404)
    assert world.client.get(f"/api/v1/activities/{activity['id']}/checkin-code/qr.svg").status_code == 401
    pending = world.pending_activity(activity["organization_id"], admin_id)
    problem(qr_image(world, pending["id"], admin_id), 409, "status")
    problem(qr_image(world, pending["id"], other_admin), 404)  # a pending activity stays invisible
    world.clock.advance(hours=6, seconds=1)  # an hour's wait, 3 h long, 2 h to check out
    problem(qr_image(world, activity["id"], admin_id), 409)
