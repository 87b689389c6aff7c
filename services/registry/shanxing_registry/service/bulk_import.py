"""Use case: import volunteers from a CSV file in batches, resumably.

Each batch is one transaction: its volunteers, their accounts (no password yet), one
registry.volunteer_registered.v1 each and the file's checkpoint commit together or not at all.
Re-running the same file (same content, by SHA-256) continues after the last committed batch.
Rejected rows (broken rules, duplicates in the file or in the database) go to the report with their
line number; a batch's rejections are reported once the batch has committed.
"""
from __future__ import annotations

import csv
import hashlib
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, TextIO

from sqlalchemy.exc import IntegrityError

from shanxing_common.db import Database
from shanxing_common.messaging.envelope import new_event
from shanxing_common.messaging.outbox import outbox_row

from ..adapters import repository as repo
from ..domain.bulk_import import ImportRow, format_reasons, missing_columns, validate_row
from ..domain.identity import mask_name
from ..runtime import Registry
from .volunteers import PRODUCER, VOLUNTEER_ROLES

REPORT_COLUMNS = ("line", "reasons", "name", "id_number", "phone", "region_code", "skills", "preferences")
EVENT_TYPE = "registry.volunteer_registered.v1"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (not UTF-8, missing columns)."""


@dataclass
class ImportResult:
    file_sha256: str
    imported: int = 0
    rejected: int = 0
    resumed_after_line: int = 0
    last_line: int = 0  # of the last committed batch
    already_complete: bool = False


@dataclass
class _Rejection:
    line: int
    reasons: str
    raw: dict


@dataclass
class _Prepared:
    """A valid row with its database rows made ready outside the transaction (encryption, event)."""
    row: ImportRow
    fingerprint: str
    account: dict
    volunteer: dict
    event: dict


@dataclass
class _Batch:
    now: datetime
    rows: list[_Prepared] = field(default_factory=list)
    rejections: list[_Rejection] = field(default_factory=list)
    last_line: int = 0

    def __len__(self) -> int:
        return len(self.rows) + len(self.rejections)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_data_rows(path: Path) -> int:
    """For the progress bar: lines after the header (a quoted line break would count twice)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, lines + (last != b"\n") - 1)


class _Report:
    """The rejected-rows CSV, appended to when a run resumes."""

    def __init__(self, path: Path | None, resuming: bool):
        self.handle: TextIO | None = None
        if path is None:
            return
        append = resuming and path.exists() and path.stat().st_size > 0
        self.handle = open(path, "a" if append else "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle)
        if not append:
            self.writer.writerow(REPORT_COLUMNS)

    def write(self, rejections: list[_Rejection]) -> None:
        if self.handle is None:
            return
        for rejection in sorted(rejections, key=lambda r: r.line):
            self.writer.writerow([rejection.line, rejection.reasons,
                                  *(rejection.raw.get(column) or "" for column in REPORT_COLUMNS[2:])])
        self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def import_volunteers(db: Database, reg: Registry, path: Path, *, report_path: Path | None = None,
                      batch_size: int = 5000, progress: Callable[[int], None] = lambda n: None) -> ImportResult:
    """Imports ``path``; ``progress(n)`` is told of every n data rows handled (skipped ones too)."""
    digest = file_sha256(path)
    with db.read() as s:
        checkpoint = repo.import_checkpoint(s, digest)
    result = ImportResult(file_sha256=digest)
    if checkpoint is not None:
        result.imported, result.rejected = checkpoint.imported, checkpoint.rejected
        result.resumed_after_line = result.last_line = checkpoint.last_line
        if checkpoint.completed_at is not None:
            result.already_complete = True
            return result
    today = reg.today()
    report = _Report(report_path, resuming=checkpoint is not None)
    seen_phones: dict[str, int] = {}
    seen_fingerprints: dict[str, int] = {}
    writer = _Writer(db, reg, digest, result, report, progress)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [column.strip() for column in next(reader, [])]
            missing = missing_columns(header)
            if missing:
                raise ImportFileError(f"the header lacks the column(s) {', '.join(missing)}")
            batch = _Batch(reg.now())
            for values in reader:
                line = reader.line_num
                if not any(value.strip() for value in values):
                    continue
                if line <= result.resumed_after_line:
                    progress(1)
                    continue
                raw = dict(zip(header, values))
                batch.last_line = line
                row, errors = validate_row(line, raw, today)
                if row is not None:
                    fingerprint = reg.vault.fingerprint(row.id_number)
                    if row.phone in seen_phones:
                        errors["phone"] = f"repeats line {seen_phones[row.phone]}"
                    if fingerprint in seen_fingerprints:
                        errors["id_number"] = f"repeats line {seen_fingerprints[fingerprint]}"
                if errors:
                    batch.rejections.append(_Rejection(line, format_reasons(errors), raw))
                else:
                    seen_phones[row.phone] = seen_fingerprints[fingerprint] = line
                    batch.rows.append(_prepare(reg, row, fingerprint, batch.now))
                if len(batch) >= batch_size:
                    writer.submit(batch, complete=False)
                    batch = _Batch(reg.now())
            writer.submit(batch, complete=True)
            writer.wait()
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 (byte {exc.start} of a chunk)") from exc
    finally:
        writer.close()
        report.close()
    return result


class _Writer:
    """Commits batches one at a time on a thread of its own, so that the next batch is read,
    checked and encrypted while the database takes the current one. A batch is handed over only
    after the one before it has committed: a failed batch stops the import."""

    def __init__(self, db, reg, digest, result, report, progress):
        self.args = (db, reg, digest)
        self.result, self.report, self.progress = result, report, progress
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-import")
        self.pending: tuple[Future, _Batch] | None = None

    def submit(self, batch: _Batch, *, complete: bool) -> None:
        self.wait()
        future = self.executor.submit(_commit, *self.args, batch, self.result, complete=complete)
        self.pending = (future, batch)

    def wait(self) -> None:
        if self.pending is None:
            return
        future, batch = self.pending
        self.pending = None
        self.report.write(future.result())  # raises the batch's failure
        self.progress(len(batch))

    def close(self) -> None:
        """After a failure elsewhere: let a batch in flight finish (and report it if it committed)."""
        try:
            self.wait()
        except Exception:  # the failure already propagating is the one to report
            pass
        finally:
            self.executor.shutdown(wait=True)


def _prepare(reg: Registry, row: ImportRow, fingerprint: str, now: datetime) -> _Prepared:
    volunteer_id = str(uuid.uuid4())
    event = new_event(EVENT_TYPE, {
        "volunteer_id": volunteer_id, "display_name": mask_name(row.name), "region_code": row.region_code,
        "skills": row.skills, "preferences": row.preferences, "registered_at": now.isoformat(),
    }, producer=PRODUCER)
    return _Prepared(
        row=row, fingerprint=fingerprint,
        account=dict(id=volunteer_id, phone=row.phone, password_hash="", password_set=False, roles=VOLUNTEER_ROLES,
                     kind="volunteer", created_at=now, failed_logins=0),
        volunteer=dict(id=volunteer_id, name=row.name, id_number_encrypted=reg.vault.encrypt(row.id_number),
                       id_number_hash=fingerprint, region_code=row.region_code, skills=row.skills,
                       preferences=row.preferences, total_hours=0, star_level=0, created_at=now),
        event=outbox_row(event, created_at=now))


def _commit(db: Database, reg: Registry, digest: str, batch: _Batch, result: ImportResult, *,
            complete: bool) -> list[_Rejection]:
    """One transaction for the batch; a concurrent registration that takes a phone or ID between our
    duplicate check and the insert rolls the batch back, and it is tried once more."""
    for attempt in (1, 2):
        try:
            return _write_batch(db, reg, digest, batch, result, complete=complete)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _write_batch(db: Database, reg: Registry, digest: str, batch: _Batch, result: ImportResult, *,
                 complete: bool) -> list[_Rejection]:
    now = reg.now()
    rejections = list(batch.rejections)
    with db.transaction() as s:
        taken_phones = repo.taken_phones(s, [p.row.phone for p in batch.rows])
        taken_ids = repo.taken_fingerprints(s, [p.fingerprint for p in batch.rows])
        accepted = []
        for prepared in batch.rows:
            errors = {}
            if prepared.row.phone in taken_phones:
                errors["phone"] = "is already registered"
            if prepared.fingerprint in taken_ids:
                errors["id_number"] = "is already registered"
            if errors:
                rejections.append(_Rejection(prepared.row.line, format_reasons(errors), _as_raw(prepared.row)))
            else:
                accepted.append(prepared)
        repo.insert_accounts_many(s, [p.account for p in accepted])
        repo.insert_volunteers_many(s, [p.volunteer for p in accepted])
        repo.insert_outbox_many(s, [p.event for p in accepted])
        repo.save_import_checkpoint(s, digest, last_line=max(batch.last_line, result.last_line),
                                    imported=result.imported + len(accepted),
                                    rejected=result.rejected + len(rejections),
                                    completed_at=now if complete else None, updated_at=now)
    result.imported += len(accepted)
    result.rejected += len(rejections)
    result.last_line = max(batch.last_line, result.last_line)
    return rejections


def _as_raw(row: ImportRow) -> dict:
    return {"name": row.name, "id_number": row.id_number, "phone": row.phone, "region_code": row.region_code,
            "skills": "|".join(row.skills), "preferences": "|".join(row.preferences)}
