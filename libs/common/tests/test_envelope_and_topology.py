import pytest

from shanxing_common.messaging import topology
from shanxing_common.messaging.envelope import Event, new_event


def test_envelope_round_trip_and_tolerant_reader():
    event = new_event("activities.hours_confirmed.v1", {"record_id": "r1"}, producer="activities")
    body = event.as_dict()
    assert set(body) == {"id", "type", "occurred_at", "producer", "trace_id", "data"}
    body["added_later"] = {"x": 1}  # consumers never break on added fields
    assert Event.from_dict(body) == event


def test_envelope_missing_fields_rejected():
    with pytest.raises(ValueError, match="data"):
        Event.from_dict({"id": "1", "type": "t", "producer": "p"})


def test_every_queue_is_bound_and_dead_lettered_on_rabbitmq():
    qs = {q.name: q for q in topology.queues(amqp=True)}
    for service, types in topology.SUBSCRIPTIONS.items():
        q = qs[topology.queue_name(service)]
        assert {b.routing_key for b in q.bindings} == set(types)
        assert q.queue_arguments["x-queue-type"] == "quorum"
        assert q.queue_arguments["x-dead-letter-exchange"] == topology.DEAD_LETTER_EXCHANGE_NAME
        assert topology.queue_name(service) + ".dead" in qs


def test_embedded_queues_have_no_rabbitmq_arguments():
    assert all(not q.queue_arguments for q in topology.queues(amqp=False))


def test_subscribers_of():
    assert set(topology.subscribers_of("activities.hours_confirmed.v1")) == {"registry", "points"}
    assert topology.subscribers_of("points.redeemed.v1") == []
