"""The per-row work of a bulk import, done ahead of the database: the row checks, the ID number's
fingerprint and encryption, new ids and the registration event, encoded as the bulk writer takes
them. It needs no database, so the import runs it in worker processes (the other core) while the
main process writes the batch before.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

from ..adapters.id_vault import IdNumberVault
from ..adapters.import_rows import RowEncoder
from ..domain.bulk_import import format_reasons, validate_row
from ..domain.identity import mask_name
from .volunteers import PRODUCER, VOLUNTEER_ROLES

EVENT_TYPE = "registry.volunteer_registered.v1"


@dataclass(frozen=True)
class PreparationSettings:
    """What a worker process needs (sent to it once, when it starts)."""
    id_key: str
    id_hash_key: str
    today: date
    header: tuple[str, ...]
    copy: bool  # COPY text lines (PostgreSQL) or dicts


# A chunk is [(line, values)] as csv gives them; the result is
#   valid:    [(line, phone, fingerprint, (account, volunteer, outbox))]
#   rejected: [(line, reasons)]
Chunk = list[tuple[int, list[str]]]
Prepared = tuple[list[tuple], list[tuple[int, str]]]


def random_uuids(count: int) -> list[str]:
    """Version-4 UUIDs as text, from one random read for all of them."""
    raw = bytearray(os.urandom(16 * count))
    ids = []
    for start in range(0, 16 * count, 16):
        raw[start + 6] = raw[start + 6] & 0x0F | 0x40  # version 4
        raw[start + 8] = raw[start + 8] & 0x3F | 0x80  # RFC 4122 variant
        text = raw[start:start + 16].hex()
        ids.append(f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}")
    return ids


class Preparer:
    def __init__(self, settings: PreparationSettings, vault: IdNumberVault | None = None):
        self.settings = settings
        self.vault = vault or IdNumberVault(settings.id_key, settings.id_hash_key)

    def prepare(self, chunk: Chunk, now: datetime) -> Prepared:
        header, today = self.settings.header, self.settings.today
        rows, rejected = [], []
        for line, values in chunk:
            row, errors = validate_row(line, dict(zip(header, values)), today)
            if errors:
                rejected.append((line, format_reasons(errors)))
            else:
                rows.append(row)
        fingerprint = self.vault.fingerprint
        encrypted = self.vault.encrypt_many([row.id_number for row in rows])
        ids = random_uuids(2 * len(rows))
        encoder = RowEncoder(copy=self.settings.copy, now=now, event_type=EVENT_TYPE, producer=PRODUCER,
                             roles=VOLUNTEER_ROLES)
        valid = []
        for index, row in enumerate(rows):
            hashed = fingerprint(row.id_number)
            valid.append((row.line, row.phone, hashed, encoder.rows(
                volunteer_id=ids[2 * index], event_id=ids[2 * index + 1], phone=row.phone, name=row.name,
                display_name=mask_name(row.name), id_number_encrypted=encrypted[index], id_number_hash=hashed,
                region_code=row.region_code, skills=row.skills, preferences=row.preferences)))
        return valid, rejected


_worker: Preparer | None = None


def start_worker(settings: PreparationSettings) -> None:
    """Initializer of each worker process."""
    global _worker
    _worker = Preparer(settings)


def prepare_in_worker(chunk: Chunk, now: datetime) -> Prepared:
    return _worker.prepare(chunk, now)
