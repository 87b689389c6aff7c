import os

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
