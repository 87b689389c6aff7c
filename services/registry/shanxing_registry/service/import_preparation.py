"""The per-row work of a bulk import, done ahead of the database: the row checks, the ID number's
fingerprint and encryption, new ids and the registration event, encoded as the bulk writer takes
them. It needs no database, so the import runs it in worker processes (the other core) while the
main process writes the batch before.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

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
    copy: bool  # COPY text (PostgreSQL) or dicts


@dataclass(frozen=True)
class RawChunk:
    """Physical lines of the file (bytes, line endings kept) that end where a record ends; the main
    process cuts them without parsing, the worker parses them."""
    first_line: int  # the line number of lines[0] (the header is line 1)
    lines: list[bytes]
    last: bool  # the file's last chunk: its commit completes the import

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.lines) - 1


@dataclass
class PreparedChunk:
    """Valid rows as parallel lists plus each table's rows encoded together (one bytes of COPY text
    per table, or lists of dicts); rejected rows with their reasons and values."""
    lines: list[int]
    phones: list[str]
    fingerprints: list[str]
    tables: tuple  # (accounts, volunteers, outbox)
    rejected: list[tuple[int, str, list[str]]]

    def __len__(self) -> int:
        return len(self.lines) + len(self.rejected)


def records(chunk: RawChunk) -> Iterator[tuple[int, list[str]]]:
    """(line, values) of the chunk's non-blank records; line is where the record ends, as
    csv.reader's line_num counts. Raises UnicodeDecodeError for bytes that are not UTF-8."""
    reader = csv.reader(line.decode("utf-8") for line in chunk.lines)
    for values in reader:
        if any(value.strip() for value in values):
            yield chunk.first_line + reader.line_num - 1, values


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

    def prepare(self, chunk: RawChunk, now: datetime) -> PreparedChunk:
        header, today = self.settings.header, self.settings.today
        rows, rejected = [], []
        for line, values in records(chunk):
            row, errors = validate_row(line, dict(zip(header, values)), today)
            if errors:
                rejected.append((line, format_reasons(errors), values))
            else:
                rows.append(row)
        fingerprint = self.vault.fingerprint
        fingerprints = [fingerprint(row.id_number) for row in rows]
        encrypted = self.vault.encrypt_many([row.id_number for row in rows])
        ids = random_uuids(2 * len(rows))
        encoder = RowEncoder(copy=self.settings.copy, now=now, event_type=EVENT_TYPE, producer=PRODUCER,
                             roles=VOLUNTEER_ROLES)
        tables = ([], [], [])
        for index, row in enumerate(rows):
            for table, encoded in zip(tables, encoder.rows(
                    volunteer_id=ids[2 * index], event_id=ids[2 * index + 1], phone=row.phone, name=row.name,
                    display_name=mask_name(row.name), id_number_encrypted=encrypted[index],
                    id_number_hash=fingerprints[index], region_code=row.region_code, skills=row.skills,
                    preferences=row.preferences)):
                table.append(encoded)
        if self.settings.copy:  # one bytes per table: cheap to pass back, written as it is
            tables = tuple("".join(table).encode() for table in tables)
        return PreparedChunk(lines=[row.line for row in rows], phones=[row.phone for row in rows],
                             fingerprints=fingerprints, tables=tables, rejected=rejected)


_worker: Preparer | None = None


def start_worker(settings: PreparationSettings) -> None:
    """Initializer of each worker process."""
    global _worker
    _worker = Preparer(settings)


def prepare_in_worker(chunk: RawChunk, now: datetime) -> PreparedChunk:
    return _worker.prepare(chunk, now)
