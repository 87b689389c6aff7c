"""The POS page in a real browser (Debian's Chromium driven by Playwright) against the real suite:
staff sign in, redeem a volunteer's code (with a lost answer retried under the same key), see today's
redemptions and refund; plus the staff token's reach through the real gateway and points."""
import os
import uuid
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture says what is missing (and fails under CI=true)
    expect = None

from .flows import merchant_with_goods, register_volunteer, volunteer_with_points
from .harness import Client

pytestmark = pytest.mark.e2e

PASSWORD = "till-pass-123"


@pytest.fixture(scope="module")
def shop(suite, ops):
    merchant, till = merchant_with_goods(ops, suite.url, [
        {"sku": "rice-5kg", "name": "大米 5kg", "points": 10, "stock": 5},
        {"sku": "oil-1l", "name": "食用油 1L", "points": 5, "stock": 3}])
    store = ops.post(f"/api/v1/merchants/{merchant['id']}/stores", {"name": "一号店", "address": "朝阳区某街 1 号"})
    assert store.status_code == 201, store.text
    staff = {}
    for login, role, name in (("boss", "manager", "王店长"), ("xiaoli", "cashier", "小李")):
        resp = till.request("POST", "/api/v1/merchant/staff", {"store_id": store.json()["id"], "login": login,
                                                                "password": PASSWORD, "role": role, "name": name})
        assert resp.status_code == 201, resp.text
        staff[login] = resp.json()
    return {"merchant": merchant, "store": store.json(), "till": till, "staff": staff}


def sign_in_page(page, suite, merchant_id, login, password=PASSWORD):
    page.goto(suite.url + "/pos")
    page.fill("#merchant-id", merchant_id)
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("#sign-in-button")


def test_staff_sign_in_redeem_with_a_lost_answer_and_refund_in_the_page(phone_page, suite, anon, ops, shop,
                                                                        tmp_path):
    volunteer, me = volunteer_with_points(anon, ops, "李志愿", 2.5)  # 25 points
    merchant_id = shop["merchant"]["id"]
    page = phone_page

    # a wrong password is said in plain words
    sign_in_page(page, suite, merchant_id, "boss", "not-the-password")
    expect(page.locator("#sign-in-message")).to_have_text("商户编号、登录名或密码不正确")

    page.fill("#password", PASSWORD)
    page.click("#sign-in-button")
    expect(page.locator("#who-name")).to_have_text("王店长 · 店长 · 一号店")
    expect(page.locator("#goods li")).to_have_count(2)

    # an unknown code: the problem+json comes back in plain words, nothing moves
    page.fill("#code", "000000000000")
    page.click('#goods button[data-sku="oil-1l"][data-step="1"]')
    page.click("#redeem")
    expect(page.locator("#result.error")).to_contain_text("兑换码无效")
    page.click('#goods button[data-sku="oil-1l"][data-step="-1"]')

    # two bags of rice; the answer to the first attempt is lost on the way back
    page.click('#goods button[data-sku="rice-5kg"][data-step="1"]')
    page.click('#goods button[data-sku="rice-5kg"][data-step="1"]')
    expect(page.locator("#total")).to_have_text("20")
    sent, lost = [], []

    def lose_first_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        sent.append(route.request.headers.get("idempotency-key"))
        if len(sent) == 1:
            made = route.fetch()  # the redemption reaches points and is made ...
            lost.append((made.status, made.text()))
            return route.abort("connectionreset")  # ... but the page never hears of it
        return route.continue_()

    page.route("**/api/v1/merchant/redemptions", lose_first_answer)
    code = me.post("/api/v1/points/redemption-codes").json()["code"]
    page.click("#code")  # still holding the unknown code: a scan replaces it
    page.keyboard.type(code)  # a barcode scanner types the digits, then Enter
    page.keyboard.press("Enter")
    expect(page.locator("#retry")).to_be_visible()
    expect(page.locator("#result")).to_contain_text("兑换结果未知")
    assert [status for status, _ in lost] == [201], lost
    assert me.get("/api/v1/points/me").json()["balance"] == 5  # it was made once

    page.click("#retry")
    expect(page.locator("#result.ok")).to_contain_text("兑换成功")
    result = page.inner_text("#result")
    assert "兑换成功" in result and "扣除积分：20" in result and "大米 5kg × 2" in result
    assert "志愿者：李*愿" in result
    assert len(sent) == 2 and sent[0] and sent[0] == sent[1]  # the retry reused the key
    assert me.get("/api/v1/points/me").json()["balance"] == 5  # and was not debited again
    page.unroute("**/api/v1/merchant/redemptions")

    # today's redemptions: the one just made, by this staff member
    expect(page.locator("#today li")).to_have_count(1)
    expect(page.locator("#today li")).to_contain_text("20 积分")
    expect(page.locator("#today li")).to_contain_text("大米 5kg×2")
    page.screenshot(path=str(tmp_path / "pos.png"), full_page=True)
    if os.environ.get("SHANXING_POS_SCREENSHOT"):
        Path(os.environ["SHANXING_POS_SCREENSHOT"]).write_bytes((tmp_path / "pos.png").read_bytes())
    listed = shop["till"].request("GET", "/api/v1/merchant/redemptions").json()["items"]
    assert [(r["points"], r["made_by"]) for r in listed] == [(20, f"staff:{shop['staff']['boss']['id']}")]

    # a manager refunds: two taps, then the points are back
    page.click("#today button.refund")
    expect(page.locator("#today button.refund")).to_have_text("确认退款？")
    page.click("#today button.refund")
    expect(page.locator("#result.ok")).to_contain_text("退款成功")
    expect(page.locator("#result")).to_contain_text("退回积分：20")
    expect(page.locator("#today .badge")).to_have_text("已退款")
    expect(page.locator("#today button.refund")).to_have_count(0)
    assert me.get("/api/v1/points/me").json() | {"debt": 0} == {"balance": 25, "earned": 25, "redeemed": 0,
                                                                 "debt": 0}

    # a cashier sees the same list but no refund button
    page.click("#sign-out")
    sign_in_page(page, suite, merchant_id, "xiaoli")
    expect(page.locator("#who-name")).to_have_text("小李 · 收银员 · 一号店")
    expect(page.locator("#today li")).to_have_count(1)
    expect(page.locator("#today button.refund")).to_have_count(0)


def test_a_staff_token_reaches_only_the_merchant_routes_and_points_enforces_the_role(suite, anon, ops, shop):
    merchant_id = shop["merchant"]["id"]

    def staff_client(login, password=PASSWORD):
        resp = anon.post("/api/v1/merchant/staff/token", {"merchant_id": merchant_id, "login": login,
                                                           "password": password})
        assert resp.status_code == 200, resp.text
        assert resp.json()["staff"]["store_id"] == shop["store"]["id"]
        return Client(suite.url, resp.json()["access_token"])

    cashier = staff_client("xiaoli")
    assert cashier.get("/api/v1/merchant/goods").status_code == 200
    assert cashier.get("/api/v1/points/me").status_code == 403
    assert cashier.get("/api/v1/merchant/staff").status_code == 403  # managing staff stays with the key
    volunteer, me = register_volunteer(anon, name="赵志愿")
    assert me.get("/api/v1/merchant/goods").status_code == 401  # a person's token never reaches them
    refund = cashier.post(f"/api/v1/merchant/redemptions/{uuid.uuid4()}/refund")
    assert refund.status_code == 403 and refund.headers["Content-Type"].startswith("application/problem+json")

    # failed sign-ins lock the account (per account, in points): 429 with Retry-After
    attempts = [anon.post("/api/v1/merchant/staff/token", {"merchant_id": merchant_id, "login": "boss",
                                                           "password": "wrong-password"}) for _ in range(6)]
    assert [a.status_code for a in attempts] == [401] * 5 + [429]
    assert int(attempts[-1].headers["Retry-After"]) > 0

    # the key resets the locked manager's password: the lock is lifted, the new password signs in
    till = shop["till"]
    boss_path = f"/api/v1/merchant/staff/{shop['staff']['boss']['id']}"
    assert till.request("PATCH", boss_path, {"password": "new-boss-pass-1"}).status_code == 200
    assert staff_client("boss", "new-boss-pass-1").get("/api/v1/merchant/goods").status_code == 200
    # a reset ends the sign-ins made with the old password at their next request
    cashier_path = f"/api/v1/merchant/staff/{shop['staff']['xiaoli']['id']}"
    assert till.request("PATCH", cashier_path, {"password": "new-cashier-pass-1"}).status_code == 200
    ended = cashier.get("/api/v1/merchant/goods")
    assert ended.status_code == 401 and "sign in again" in ended.json()["detail"]
    cashier = staff_client("xiaoli", "new-cashier-pass-1")
    assert cashier.get("/api/v1/merchant/goods").status_code == 200
    assert cashier.patch(cashier_path, {"role": "manager"}).status_code == 403  # not even their own

    # deactivating the cashier stops their token at once
    assert till.request("POST", f"/api/v1/merchant/staff/{shop['staff']['xiaoli']['id']}/deactivate").status_code == 200
    assert cashier.get("/api/v1/merchant/goods").status_code == 401
