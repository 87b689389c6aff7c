import os
import shutil

import pytest

from .harness import Client, OPS_PASSWORD, OPS_PHONE, Suite


def purge_broker():
    """RabbitMQ queues outlive a suite; a fresh suite starts from empty queues."""
    url = os.environ.get("BROKER_URL")
    if not url or not url.startswith("amqp"):
        return
    from kombu import Connection

    from shanxing_common.messaging import topology

    with Connection(url) as conn:
        for q in topology.queues(amqp=True):
            try:
                q(conn.channel()).purge()
            except Exception:  # noqa: BLE001 - a queue that does not exist yet is empty
                pass


@pytest.fixture(scope="module")
def suite(tmp_path_factory, request):
    purge_broker()
    name = request.module.__name__.rsplit(".", 1)[-1].replace("test_", "")[:20]
    s = Suite(tmp_path_factory.mktemp(f"suite-{name}"), name).start()
    yield s
    leftovers = s.stop()
    assert not leftovers, f"processes survived SIGTERM: {leftovers}\n{s.tail()}"


@pytest.fixture(scope="module")
def anon(suite):
    return Client(suite.url)


@pytest.fixture(scope="module")
def ops(anon):
    return anon.login(OPS_PHONE, OPS_PASSWORD)


CHROMIUM = os.environ.get("SHANXING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, for the tests of the gateway's pages: they skip without
    it locally and fail under CI=true (CI must run them)."""
    missing = None
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        missing = "the playwright package is not installed (make install)"
    if missing is None and not shutil.which(CHROMIUM):
        missing = f"{CHROMIUM} is missing (make browser installs it)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone_page(browser):
    """A fresh page the size of a phone, in Chinese, with its own storage."""
    context = browser.new_context(viewport={"width": 412, "height": 915}, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
