"""The event envelope of DESIGN.md §3."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    occurred_at: str
    producer: str
    trace_id: str
    data: dict

    def as_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "occurred_at": self.occurred_at,
                "producer": self.producer, "trace_id": self.trace_id, "data": self.data}

    @classmethod
    def from_dict(cls, body: dict) -> "Event":
        # Tolerant reader: unknown fields are ignored, required ones must be there.
        missing = [k for k in ("id", "type", "producer", "data") if k not in body]
        if missing:
            raise ValueError(f"event envelope lacks {', '.join(missing)}")
        return cls(id=str(body["id"]), type=str(body["type"]), occurred_at=str(body.get("occurred_at", "")),
                   producer=str(body["producer"]), trace_id=str(body.get("trace_id") or body["id"]),
                   data=dict(body["data"]))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_event(type_: str, data: dict, *, producer: str, trace_id: str | None = None,
              event_id: str | None = None) -> Event:
    eid = event_id or str(uuid.uuid4())
    return Event(id=eid, type=type_, occurred_at=utcnow().isoformat(), producer=producer,
                 trace_id=trace_id or eid, data=data)
