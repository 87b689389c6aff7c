"""Broker connections: one per process and purpose, opened after any fork, never shared by threads."""
from __future__ import annotations

import logging

from kombu import Connection, Producer

from . import topology
from .envelope import Event

log = logging.getLogger("shanxing.broker")


def is_amqp(url: str) -> bool:
    return url.startswith(("amqp://", "amqps://", "pyamqp://"))


def connect(url: str) -> Connection:
    """Open a connection and declare the whole topology on it."""
    if is_amqp(url):
        # Confirms make publish() block until RabbitMQ has the message; heartbeats keep idle
        # connections honest (the worker loop calls heartbeat_check()).
        conn = Connection(url, heartbeat=30, connect_timeout=5,
                          transport_options={"confirm_publish": True})
    else:
        conn = Connection(url, transport_options={"connect_args": {"timeout": 30}})
        conn.transport.polling_interval = 0.1
    conn.ensure_connection(max_retries=3, interval_start=0.2, interval_step=0.5)
    topology.declare_all(conn.default_channel, is_amqp(url))
    return conn


class Publisher:
    """Publishes envelopes as persistent messages; on RabbitMQ confirmed, and ``mandatory`` for
    types that have subscribers (a return then means a broken topology and is an error)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.amqp = is_amqp(conn.as_uri())
        self._producer = Producer(conn.default_channel, exchange=topology.events_exchange,
                                  on_return=self._on_return if self.amqp else None)
        self._returned: list[str] = []

    def _on_return(self, exception, exchange, routing_key, message):
        self._returned.append(routing_key)

    def publish(self, envelope: dict) -> None:
        event = Event.from_dict(envelope)
        subscribed = bool(topology.subscribers_of(event.type))
        if not subscribed and not self.amqp:
            # No queue is bound to this type (every process declares the same topology). RabbitMQ
            # drops such a message; kombu's embedded transport would store it in its
            # "undeliverable" queue for ever, a write per event that nobody reads.
            return
        mandatory = self.amqp and subscribed
        self._returned.clear()
        self._producer.publish(
            envelope, routing_key=event.type, serializer="json", delivery_mode=2,
            message_id=event.id, type=event.type, correlation_id=event.trace_id,
            headers={"producer": event.producer, "trace_id": event.trace_id},
            mandatory=mandatory, retry=False,
        )
        if self._returned:
            raise RuntimeError(f"broker returned {event.type}: no queue bound (topology out of date?)")
