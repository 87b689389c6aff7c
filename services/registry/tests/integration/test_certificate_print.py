"""The printable certificate with its record lines, and codes that cannot be forged."""
import io
import re
import uuid

import pytest
from pypdf import PdfReader
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
    for suffix in ("html", "pdf"):
        assert_problem(client.get(f"/api/v1/volunteers/me/certificates/{cert['verification_code']}.{suffix}",
                                  headers=person(volunteer["id"])), 404)


def pdf_text(resp) -> str:
    reader = PdfReader(io.BytesIO(resp.get_data()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_owner_gets_the_certificate_as_a_pdf_with_the_same_content(world, client, app):
    admin = world.volunteer(name="李管理")
    organization = world.approved_organization(admin["id"], name="朝阳区助老服务队")
    volunteer = world.volunteer(name="张三丰")
    confirm(app, volunteer["id"], "2.50", organization_id=organization["id"], confirmed_by=admin["id"],
            served_on="2030-05-02", activity_title="重阳敬老送餐", address="朝阳区建国路 88 号")
    confirm(app, volunteer["id"], "1.25", organization_id="unknown-org", confirmed_by="someone",
            served_on="2030-05-01", activity_id="act-7")
    cert = issue(client, volunteer["id"])

    resp = client.get(f"/api/v1/volunteers/me/certificates/{cert['verification_code']}.pdf",
                      headers=person(volunteer["id"]))

    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.get_data().startswith(b"%PDF-") and resp.get_data().rstrip().endswith(b"%%EOF")
    assert cert["verification_code"] in resp.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(resp.get_data()))
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=0.1)  # A4
    text = pdf_text(resp)
    for label in ("志愿服务记录证明", "姓名", "身份证号", "所属区域", "星级", "累计服务时长", "服务记录", "用途",
                  "服务项目/活动", "服务组织", "服务地点", "服务时间", "记录人", "出具日期", "证明编号/验证码", "验证方式"):
        assert label in text, label
    for value in ("张*丰", cert["id_number"], "3.75 小时", "2 条", "升学<script>", "重阳敬老送餐", "朝阳区助老服务队",
                  "朝阳区建国路 88 号", "2030-05-02", "2.50", "李*理", "act-7", "unknown-org", "1.25", "someone",
                  cert["verification_code"], f"/api/v1/certificates/{cert['verification_code']}"):
        assert value in text, value
    assert text.index("2030-05-01") < text.index("2030-05-02")  # by service date, as on the page


def test_a_long_record_continues_on_more_pages(world, client, app):
    volunteer = world.volunteer()
    for day in range(1, 61):
        confirm(app, volunteer["id"], "1.00", organization_id="org", confirmed_by="someone",
                served_on=f"2030-0{1 + day // 29}-{1 + day % 28:02d}", activity_title=f"社区服务第{day}次")
    cert = issue(client, volunteer["id"])
    resp = client.get(f"/api/v1/volunteers/me/certificates/{cert['verification_code']}.pdf",
                      headers=person(volunteer["id"]))
    reader = PdfReader(io.BytesIO(resp.get_data()))
    assert len(reader.pages) > 1
    text = pdf_text(resp)
    assert all(f"社区服务第{day}次" in text for day in range(1, 61))
    assert reader.pages[1].extract_text().count("服务项目/活动") == 1  # the header repeats on each page


def test_the_pdf_has_the_html_pages_rules(world, client):
    volunteer, other = world.volunteer(), world.volunteer()
    cert = issue(client, volunteer["id"])
    path = f"/api/v1/volunteers/me/certificates/{cert['verification_code']}.pdf"
    assert "（暂无已确认的服务记录）" in pdf_text(client.get(path, headers=person(volunteer["id"])))
    assert_problem(client.get(path, headers=person(other["id"])), 404)
    assert_problem(client.get(path), 401)
    assert_problem(client.get("/api/v1/volunteers/me/certificates/nope.pdf", headers=person(volunteer["id"])), 404)
