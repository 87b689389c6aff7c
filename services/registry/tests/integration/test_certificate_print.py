"""The printable certificate with its record lines, and codes that cannot be forged."""
import re
import uuid

from sqlalchemy import update

from shanxing_common.testing import deliver
from shanxing_registry.adapters.models import certificates
from shanxing_registry.domain.certificates import CODE_ALPHABET, grouped

from .conftest import assert_problem, person


def confirm(app, volunteer_id, hours, *, organization_id, confirmed_by, served_on="2030-06-01", activity_id="act-1",
            **described):
    """``described`` is ``activity_title`` and ``address``; without them the event is an older one's shape."""
    deliver(app, "activities.hours_confirmed.v1", {
        "record_id": str(uuid.uuid4()), "volunteer_id": volunteer_id, "activity_id": activity_id,
        "organization_id": organization_id, "team_id": None, "region_code": "110105", "category": "elderly",
        "hours": hours, "served_on": served_on, "confirmed_by": confirmed_by, "verified": True, **described})


def printed_lines(page: str) -> list[list[str]]:
    """The cells of the record table's body rows, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("</tr>") if "<td" in row]


def issue(client, volunteer_id):
    resp = client.post("/api/v1/volunteers/me/certificates", json={"purpose": "升学<script>"},
                       headers=person(volunteer_id))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_the_owner_prints_the_certificate_with_its_record_lines(world, client, app):
    admin = world.volunteer(name="李管理")
    organization = world.approved_organization(admin["id"], name="朝阳区助老服务队")
    volunteer = world.volunteer(name="张三丰")
    confirm(app, volunteer["id"], "2.50", organization_id=organization["id"], confirmed_by=admin["id"],
            served_on="2030-05-02", activity_id="act-42", activity_title="重阳敬老<b>送餐</b>",
            address="朝阳区建国路 88 号")
    confirm(app, volunteer["id"], "1.25", organization_id="unknown-org", confirmed_by="someone",
            served_on="2030-05-01")
    cert = issue(client, volunteer["id"])

    resp = client.get(f"/api/v1/volunteers/me/certificates/{cert['verification_code']}.html",
                      headers=person(volunteer["id"]))

    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    for text in ("志愿服务记录证明", "张*丰", cert["id_number"], "朝阳区助老服务队", "2030-05-02", "2.50",
                 "李*理", "3.75", cert["verification_code"], f"/api/v1/certificates/{cert['verification_code']}",
                 "@page { size: A4"):
        assert text in page, text
    assert page.index("2030-05-01") < page.index("2030-05-02")  # by service date
    assert "<script>" not in page and "升学&lt;script&gt;" in page
    # 服务项目/活动 and 服务地点: the title and address when the event told them, else the id and "—"
    assert printed_lines(page) == [
        ["act-1", "unknown-org", "—", "2030-05-01", "1.25", "someone"],
        ["重阳敬老&lt;b&gt;送餐&lt;/b&gt;", "朝阳区助老服务队", "朝阳区建国路 88 号", "2030-05-02", "2.50", "李*理"]]


def test_only_the_owner_prints_and_unknown_codes_are_404(world, client):
    volunteer, other = world.volunteer(), world.volunteer()
    cert = issue(client, volunteer["id"])
    path = f"/api/v1/volunteers/me/certificates/{cert['verification_code']}.html"
    assert_problem(client.get(path, headers=person(other["id"])), 404)
    assert_problem(client.get(path), 401)
    assert_problem(client.get("/api/v1/volunteers/me/certificates/nope.html", headers=person(volunteer["id"])), 404)


def test_an_invented_code_fails(world, client):
    volunteer = world.volunteer()
    cert = issue(client, volunteer["id"])
    code = cert["verification_code"].replace("-", "")
    invented = code[:-1] + next(ch for ch in CODE_ALPHABET if ch != code[-1])
    assert_problem(client.get(f"/api/v1/certificates/{grouped(invented)}"), 404)


def test_an_altered_certificate_fails_verification(world, client, app):
    volunteer = world.volunteer()
    cert = issue(client, volunteer["id"])
    assert client.get(f"/api/v1/certificates/{cert['verification_code']}").status_code == 200
    with app.extensions["shanxing"].db.transaction() as s:  # someone edits the stored hours
        s.execute(update(certificates).where(certificates.c.id == cert["id"]).values(total_hours=99900))
    assert_problem(client.get(f"/api/v1/certificates/{cert['verification_code']}"), 404)
    assert_problem(client.get(f"/api/v1/volunteers/me/certificates/{cert['verification_code']}.html",
                              headers=person(volunteer["id"])), 404)
