"""The three rows of one imported volunteer (account, volunteer, outbox event) as the bulk writer
takes them: a line of PostgreSQL COPY text, or a dict for executemany (SQLite).

Built in the import's worker processes, so that the process holding the database connection only
joins finished lines. The event envelope is filled into a template: the same JSON text that
``outbox_row(new_event(...))`` makes (tests compare them), without serialising the whole envelope.
"""
from __future__ import annotations

import json
import re
from datetime import datetime

ACCOUNT_COLUMNS = ("id", "phone", "password_hash", "password_set", "roles", "kind", "created_at", "failed_logins")
VOLUNTEER_COLUMNS = ("id", "name", "id_number_encrypted", "id_number_hash", "region_code", "skills", "preferences",
                     "total_hours", "star_level", "created_at")
OUTBOX_COLUMNS = ("event_id", "type", "envelope", "created_at", "attempts")

_string = json.encoder.encode_basestring  # json.dumps(text, ensure_ascii=False), in C


def _strings(items: list[str]) -> str:
    """json.dumps(items, ensure_ascii=False) for a list of strings, without building an encoder."""
    return "[" + ", ".join(map(_string, items)) + "]"

_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A text field of COPY's text format (backslash, tab, newline and CR escaped)."""
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value


class RowEncoder:
    """Encodes the rows of one batch (one ``now`` for all of them)."""

    def __init__(self, *, copy: bool, now: datetime, event_type: str, producer: str, roles: list[str]):
        self.copy, self.now, self.roles = copy, now, roles
        stamp = now.isoformat()
        # The envelope's keys in Event.as_dict() order; the data's in the registration event's order.
        self._envelope = ('{"id": "%s", "type": ' + _string(event_type) + ', "occurred_at": "' + stamp
                          + '", "producer": ' + _string(producer) + ', "trace_id": "%s", "data": '
                          '{"volunteer_id": "%s", "display_name": %s, "region_code": %s, "skills": %s, '
                          '"preferences": %s, "registered_at": "' + stamp + '"}}')
        self.event_type = event_type
        if copy:
            self._account = "%s\t%s\t\tf\t" + copy_text(_strings(roles)) + "\tvolunteer\t" + stamp + "\t0\n"
            self._volunteer = "%s\t%s\t%s\t%s\t%s\t%s\t%s\t0\t0\t" + stamp + "\n"
            self._outbox = "%s\t" + copy_text(event_type) + "\t%s\t" + stamp + "\t0\n"

    def rows(self, *, volunteer_id: str, event_id: str, phone: str, name: str, display_name: str,
             id_number_encrypted: str, id_number_hash: str, region_code: str, skills: list[str],
             preferences: list[str]) -> tuple:
        """(account, volunteer, outbox) rows. ids, phone, hash, ciphertext and region code are ASCII
        without COPY's special characters (hex, digits, base64url: the row checks made sure); the
        rest is escaped."""
        skills_json, preferences_json = _strings(skills), _strings(preferences)
        envelope = self._envelope % (event_id, event_id, volunteer_id, _string(display_name), _string(region_code),
                                     skills_json, preferences_json)
        if self.copy:
            return (self._account % (volunteer_id, phone),
                    self._volunteer % (volunteer_id, copy_text(name), id_number_encrypted, id_number_hash, region_code,
                                       copy_text(skills_json), copy_text(preferences_json)),
                    self._outbox % (event_id, copy_text(envelope)))
        return (dict(id=volunteer_id, phone=phone, password_hash="", password_set=False, roles=self.roles,
                     kind="volunteer", created_at=self.now, failed_logins=0),
                dict(id=volunteer_id, name=name, id_number_encrypted=id_number_encrypted,
                     id_number_hash=id_number_hash, region_code=region_code, skills=skills, preferences=preferences,
                     total_hours=0, star_level=0, created_at=self.now),
                dict(event_id=event_id, type=self.event_type, envelope=envelope, created_at=self.now, attempts=0))


def select_rows(encoded, keep: list[int]):
    """The rows at ``keep`` of one table's encoded batch: COPY text (bytes, one line per row — COPY
    escapes every newline inside a value) or a list of dicts."""
    if isinstance(encoded, bytes):
        lines = encoded.split(b"\n")
        return b"".join(lines[index] + b"\n" for index in keep)
    return [encoded[index] for index in keep]
