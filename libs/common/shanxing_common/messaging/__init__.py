"""Events between services: envelope, topology, transactional outbox, relay, idempotent consumer."""
from .envelope import Event, new_event
from .outbox import metadata, record_event, tables

__all__ = ["Event", "new_event", "metadata", "record_event", "tables"]
