"""The volunteer's points page in a real browser (Debian's Chromium driven by Playwright) against the
real suite: sign in, see the balance, show a code (digits and a QR image that loaded) that a merchant
then redeems with signed requests, and see the lower balance and the redeem entry after a reload."""
import json
import re
import uuid

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture says what is missing (and fails under CI=true)
    expect = None

from .flows import merchant_with_goods, volunteer_with_points

pytestmark = pytest.mark.e2e

PHONE, PASSWORD = "13912345678", "points-page-9"  # one volunteer in this module's own suite
TOKEN_KEY = "shanxing.points.token"


def sign_in(page, suite, password=PASSWORD):
    page.goto(suite.url + "/points")
    page.fill("#phone", PHONE)
    page.fill("#password", password)
    page.click("#sign-in-button")


@pytest.fixture(scope="module")
def volunteer(suite, anon, ops):
    return volunteer_with_points(anon, ops, "陈志愿", 2.5, phone=PHONE, password=PASSWORD)  # 25 points


def test_a_volunteer_shows_a_code_that_a_merchant_redeems(phone_page, suite, ops, volunteer):
    merchant, till = merchant_with_goods(ops, suite.url, [
        {"sku": "rice-5kg", "name": "大米 5kg", "points": 10, "stock": 5}])
    page = phone_page
    page.clock.install()  # the countdown's timers, run forward below without waiting

    # a wrong password is said in plain words
    sign_in(page, suite, "not-the-password")
    expect(page.locator("#sign-in-message")).to_have_text("手机号或密码不正确")

    page.fill("#password", PASSWORD)
    page.click("#sign-in-button")
    expect(page.locator("#balance")).to_have_text("25")
    expect(page.locator("#earned")).to_have_text("25")
    expect(page.locator("#redeemed")).to_have_text("0")
    expect(page.locator("#debt")).to_be_hidden()
    expect(page.locator("#expiring li")).to_have_count(0)  # expiry is off in the suite
    expect(page.locator("#holds-card")).to_be_hidden()
    expect(page.locator("#entries li")).to_have_count(1)
    expect(page.locator("#entries li")).to_contain_text("服务时长")
    expect(page.locator("#entries li .plus")).to_have_text("+25")
    expect(page.locator("#more")).to_be_hidden()

    # the code at the till: 12 digits in groups of four, its QR image and the time left
    page.click("#new-code")
    expect(page.locator("#code")).to_have_text(re.compile(r"^\d{4} \d{4} \d{4}$"))
    code = page.inner_text("#code").replace(" ", "")
    expect(page.locator("#qr")).to_be_visible()
    page.wait_for_function("() => { const qr = document.getElementById('qr');"
                           " return qr.complete && qr.naturalWidth > 0; }")
    assert page.get_attribute("#qr", "src").startswith("blob:")
    expect(page.locator("#countdown")).to_contain_text(re.compile(r"有效期还剩 [45] 分"))

    # the merchant redeems it through the gateway and sees only the masked name
    sale = {"code": code, "items": [{"sku": "rice-5kg", "quantity": 2}]}
    made = till.request("POST", "/api/v1/merchant/redemptions", sale, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert made.status_code == 201, made.text
    assert made.json()["points"] == 20 and made.json()["volunteer"] == {"display_name": "陈*愿"}

    # after a reload (the token is kept for the tab): the lower balance and the redeem entry
    page.reload()
    expect(page.locator("#balance")).to_have_text("5")
    expect(page.locator("#redeemed")).to_have_text("20")
    expect(page.locator("#entries li")).to_have_count(2)
    newest = page.locator("#entries li").first
    expect(newest.locator(".kind")).to_have_text("兑换")
    expect(newest.locator(".minus")).to_have_text("-20")
    expect(newest).to_contain_text("余额 5")
    assert page.evaluate("() => localStorage.length") == 0  # the token never goes to localStorage

    # a code left unused runs out: the page says so and offers a new one
    page.click("#new-code")
    expect(page.locator("#code")).to_have_text(re.compile(r"^\d{4} \d{4} \d{4}$"))
    page.clock.run_for("05:01")
    expect(page.locator("#code-status")).to_have_text("兑换码已过期，请重新生成")
    expect(page.locator("#code-box")).to_be_hidden()
    expect(page.locator("#new-code")).to_have_text("重新生成兑换码")

    # a token that no longer works brings back the sign-in form
    page.evaluate(f"() => sessionStorage.setItem('{TOKEN_KEY}', 'expired.token.value')")
    page.reload()
    expect(page.locator("#sign-in-message")).to_have_text("登录已失效，请重新登录")
    expect(page.locator("#mine")).to_be_hidden()

    # signing out forgets the token
    page.fill("#phone", PHONE)
    page.fill("#password", PASSWORD)
    page.click("#sign-in-button")
    expect(page.locator("#balance")).to_have_text("5")
    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    assert page.evaluate(f"() => sessionStorage.getItem('{TOKEN_KEY}')") is None


def fulfil_json(body, status=200, headers=None):
    def fulfil(route):
        route.fulfill(status=status, body=json.dumps(body), headers=headers or {},
                      content_type="application/problem+json" if status >= 400 else "application/json")
    return fulfil


def test_what_the_page_says_about_debt_expiry_holds_other_kinds_and_refusals(phone_page, suite, volunteer):
    """Answers the suite does not give this volunteer (debt, expiry on, a pending hold, an unknown
    entry kind, more pages, a throttled sign-in), stood in for by the browser."""
    page = phone_page
    page.route("**/api/v1/auth/token", fulfil_json(
        {"title": "Too Many Requests", "status": 429, "detail": "too many failed attempts; try again in 42 seconds"},
        429, {"Retry-After": "42"}))
    sign_in(page, suite)
    expect(page.locator("#sign-in-message")).to_have_text("操作过于频繁，请 42 秒后再试")
    page.route("**/api/v1/auth/token", fulfil_json(
        {"title": "Bad Request", "status": 400, "detail": "invalid input", "errors": {"phone": ["not a phone"]}},
        400))
    page.click("#sign-in-button")
    expect(page.locator("#sign-in-message")).to_have_text("输入有误：手机号，请检查后重试")
    page.unroute("**/api/v1/auth/token")

    page.route("**/api/v1/points/me", fulfil_json({"balance": 0, "earned": 40, "redeemed": 0, "debt": 5}))
    page.route("**/api/v1/points/me/lots?*", fulfil_json({"items": [
        {"id": "1", "points": 4, "amount": 4, "expires_at": "2031-03-01T04:00:00Z"},
        {"id": "2", "points": 6, "amount": 6, "expires_at": "2031-03-01T09:00:00Z"},
        {"id": "3", "points": 7, "amount": 7, "expires_at": "2031-04-02T09:00:00Z"}],
        "next": None, "expiry_days": 365, "expired": 0}))
    page.route("**/api/v1/points/me/holds?*", fulfil_json({"items": [
        {"id": "h1", "merchant_name": "爱心超市", "points": 12, "created_at": "2031-01-01T01:00:00Z",
         "expires_at": "2031-01-01T01:15:00Z"}], "next": None}))
    entry = {"balance_after": 0, "created_at": "2031-01-01T01:00:00Z", "transfer_id": "x", "rule_version": None,
             "organizer_factor": None}

    def entries(route):
        later = "cursor=" in route.request.url
        items = ([{**entry, "id": "1", "kind": "hours", "points": 10}] if later else
                 [{**entry, "id": "3", "kind": "settle", "points": -5}, {**entry, "id": "2", "kind": "windfall", "points": 3}])
        fulfil_json({"items": items, "next": None if later else "2"})(route)

    page.route("**/api/v1/points/me/entries?*", entries)
    page.fill("#password", PASSWORD)
    page.click("#sign-in-button")
    expect(page.locator("#debt")).to_contain_text("待抵扣 5 积分")
    expect(page.locator("#debt")).to_contain_text("将从今后获得的积分中抵扣")
    expect(page.locator("#expiring li")).to_have_text(["10 积分将于 2031年3月1日 过期", "7 积分将于 2031年4月2日 过期"])
    expect(page.locator("#holds-card")).to_be_visible()
    expect(page.locator("#holds li")).to_contain_text("爱心超市")
    expect(page.locator("#holds li")).to_contain_text("12 积分")
    expect(page.locator("#entries .kind")).to_have_text(["抵扣欠分", "windfall"])  # an unknown kind, raw
    page.click("#more")
    expect(page.locator("#entries .kind")).to_have_text(["抵扣欠分", "windfall", "服务时长"])
    expect(page.locator("#more")).to_be_hidden()
