"""The one table of the message topology, declared by every process that touches the broker.

Brokerless kombu transports keep exchanges and bindings per process: a publisher that has not
declared the consumer's binding drops the message silently. So every process declares all of it.
"""
from __future__ import annotations

from kombu import Exchange, Queue, binding

EXCHANGE_NAME = "shanxing.events"
DEAD_LETTER_EXCHANGE_NAME = "shanxing.dead"

# consuming service -> the event types it subscribes to
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "registry": (
        "activities.hours_confirmed.v1",
        "activities.hours_revoked.v1",
    ),
    "activities": (
        "registry.volunteer_registered.v1",
        "registry.volunteer_updated.v1",
        "registry.volunteer_transferred.v1",
        "registry.organization_approved.v1",
        "registry.organization_admin_added.v1",
    ),
    "points": (
        "registry.volunteer_registered.v1",
        "registry.volunteer_updated.v1",
        "registry.star_level_changed.v1",
        "registry.commendation_granted.v1",
        "activities.hours_confirmed.v1",
        "activities.hours_revoked.v1",
    ),
}

# Delivery attempts before RabbitMQ itself dead-letters (the consumer parks earlier, see consumer.py).
BROKER_DELIVERY_LIMIT = 20

events_exchange = Exchange(EXCHANGE_NAME, type="topic", durable=True)
dead_letter_exchange = Exchange(DEAD_LETTER_EXCHANGE_NAME, type="topic", durable=True)


def queue_name(service: str) -> str:
    return f"shanxing.{service}"


def subscribers_of(event_type: str) -> list[str]:
    return [svc for svc, types in SUBSCRIPTIONS.items() if event_type in types]


def producers_for(service: str) -> set[str]:
    """The services whose events this service consumes (by the type's first segment)."""
    return {t.split(".", 1)[0] for t in SUBSCRIPTIONS.get(service, ())}


def queues(amqp: bool) -> list[Queue]:
    """All queues with their bindings. On RabbitMQ: quorum queues that dead-letter at least once."""
    result = []
    for service, types in SUBSCRIPTIONS.items():
        args = {}
        if amqp:
            args = {
                "x-queue-type": "quorum",
                "x-delivery-limit": BROKER_DELIVERY_LIMIT,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE_NAME,
                "x-dead-letter-routing-key": service,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            }
        bindings = [
            binding(events_exchange, routing_key=t) for t in types
        ]
        result.append(Queue(queue_name(service), bindings=bindings, durable=True,
                            queue_arguments=args or None))
        dead_args = {"x-queue-type": "quorum"} if amqp else None
        result.append(Queue(queue_name(service) + ".dead", exchange=dead_letter_exchange,
                            routing_key=service, durable=True, queue_arguments=dead_args))
    return result


def consumer_queue(service: str, amqp: bool) -> Queue:
    return next(q for q in queues(amqp) if q.name == queue_name(service))


def declare_all(channel, amqp: bool) -> None:
    events_exchange(channel).declare()
    dead_letter_exchange(channel).declare()
    for q in queues(amqp):
        q(channel).declare()
