"""Use case: import volunteers from a CSV file in batches, resumably.

Each batch is one transaction: its volunteers, their accounts (no password yet), one
registry.volunteer_registered.v1 each and the file's checkpoint commit together or not at all.
Re-running the same file (same content, by SHA-256) continues after the last committed batch.
Rejected rows (broken rules, duplicates in the file or in the database) go to the report with their
line number; a batch's rejections are reported once the batch has committed.

Three stages overlap: the main process cuts the file into chunks of lines (without parsing them) and
hands them to worker processes (import_preparation: parsing, checks, encryption, ids, events, each
table's rows encoded together); it takes their results back in file order, rejects rows that repeat
an earlier one, and gives each batch to a writer thread that commits it while the next ones are
being prepared. The main process does little per row, so the writer thread rarely waits for it.
"""
from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

from sqlalchemy.exc import IntegrityError

from shanxing_common.db import Database

from ..adapters import repository as repo
from ..adapters.import_rows import select_rows
from ..domain.bulk_import import format_reasons, missing_columns
from ..runtime import Registry
from .import_preparation import (PreparationSettings, PreparedChunk, Preparer, RawChunk, prepare_in_worker,
                                 records, start_worker)

REPORT_COLUMNS = ("line", "reasons", "name", "id_number", "phone", "region_code", "skills", "preferences")
# Worker processes that prepare rows; files of at most one batch are prepared in-process (a
# spawned worker costs about a second to start).
DEFAULT_WORKERS = max(1, min(2, os.cpu_count() or 1))


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
class _Batch:
    header: list[str]
    chunk: RawChunk
    prepared: PreparedChunk
    rejections: list[_Rejection] = field(default_factory=list)
    repeated: set[int] = field(default_factory=set)  # indexes of valid rows that repeat an earlier row
    _values: dict[int, list[str]] | None = None

    def __len__(self) -> int:
        return len(self.prepared)

    def raw(self, line: int) -> dict:
        """The row of this line as the file has it (the report shows it so that it can be fixed);
        the chunk is parsed again for it, which only rejected valid rows need."""
        if self._values is None:
            self._values = dict(records(self.chunk))
        return dict(zip(self.header, self._values[line]))


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
                      batch_size: int = 5000, workers: int | None = None,
                      progress: Callable[[int], None] = lambda n: None) -> ImportResult:
    """Imports ``path``; ``progress(n)`` is told of every n data rows handled (skipped ones too).
    ``workers``: processes preparing rows (0: in this process; None: DEFAULT_WORKERS, or 0 for a
    file of at most one batch)."""
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
    if workers is None:
        workers = DEFAULT_WORKERS if count_data_rows(path) > batch_size else 0
    report = _Report(report_path, resuming=checkpoint is not None)
    seen_phones: dict[str, int] = {}
    seen_fingerprints: dict[str, int] = {}
    writer = _Writer(db, reg, digest, result, report, progress)
    try:
        with open(path, "rb") as handle:
            header = [column.strip() for column in next(csv.reader([handle.readline().decode("utf-8-sig")]), [])]
            missing = missing_columns(header)
            if missing:
                raise ImportFileError(f"the header lacks the column(s) {', '.join(missing)}")
            settings = PreparationSettings(id_key=reg.config.id_key, id_hash_key=reg.config.id_hash_key,
                                           today=reg.today(), header=tuple(header), copy=db.is_postgres)
            chunks = _chunks(handle, batch_size, result.resumed_after_line, progress)
            with _Preparation(settings, reg, workers) as preparation:
                for chunk, prepared in preparation.run(chunks):
                    batch = _Batch(header, chunk, prepared, rejections=[
                        _Rejection(line, reasons, dict(zip(header, values)))
                        for line, reasons, values in prepared.rejected])
                    for index, (line, phone, fingerprint) in enumerate(
                            zip(prepared.lines, prepared.phones, prepared.fingerprints)):
                        errors = {}
                        if phone in seen_phones:
                            errors["phone"] = f"repeats line {seen_phones[phone]}"
                        if fingerprint in seen_fingerprints:
                            errors["id_number"] = f"repeats line {seen_fingerprints[fingerprint]}"
                        if errors:
                            batch.repeated.add(index)
                            batch.rejections.append(_Rejection(line, format_reasons(errors), batch.raw(line)))
                        else:
                            seen_phones[phone] = seen_fingerprints[fingerprint] = line
                    writer.submit(batch, complete=chunk.last)
            writer.wait()
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 (byte {exc.start} of a line)") from exc
    finally:
        writer.close()
        report.close()
    return result


def _chunks(handle, batch_size: int, resumed_after_line: int, progress: Callable[[int], None]) -> Iterator[RawChunk]:
    """The lines after the header and the resume point, about batch_size records at a time, always
    ending with a chunk marked last (maybe empty). A chunk ends only where the count of quote
    characters so far is even, so no quoted field (which may hold a line break) is cut in two."""
    line_number, lines, first, records_in_chunk, quoted = 1, [], 0, 0, False
    for raw in handle:
        line_number += 1
        if line_number <= resumed_after_line:  # committed batches ended on record boundaries
            progress(1)
            continue
        if not lines:
            first = line_number
        lines.append(raw)
        if raw.count(b'"') % 2:
            quoted = not quoted
        if not quoted:
            records_in_chunk += 1
            if records_in_chunk == batch_size:
                yield RawChunk(first, lines, last=False)
                lines, records_in_chunk, first = [], 0, 0
    yield RawChunk(first or line_number + 1, lines, last=True)


class _Preparation:
    """Prepares chunks in worker processes, a few ahead of the writer, and yields them in file
    order (or in this process when ``workers`` is 0)."""

    def __init__(self, settings: PreparationSettings, reg: Registry, workers: int):
        self.reg, self.workers = reg, workers
        self.inline = Preparer(settings, reg.vault) if workers == 0 else None
        self.pool = None if workers == 0 else ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),  # no fork of our threads
            initializer=start_worker, initargs=(settings,))

    def run(self, chunks: Iterable[RawChunk]) -> Iterator[tuple[RawChunk, PreparedChunk]]:
        if self.inline is not None:
            for chunk in chunks:
                yield chunk, self.inline.prepare(chunk, self.reg.now())
            return
        ahead: deque[tuple[RawChunk, Future]] = deque()
        for chunk in chunks:
            ahead.append((chunk, self.pool.submit(prepare_in_worker, chunk, self.reg.now())))
            if len(ahead) > 2 * self.workers:  # bounded: a huge file is never all in memory
                chunk, future = ahead.popleft()
                yield chunk, future.result()
        while ahead:
            chunk, future = ahead.popleft()
            yield chunk, future.result()

    def __enter__(self) -> "_Preparation":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class _Writer:
    """Commits batches one at a time on a thread of its own, so that the next batch is read,
    checked and encrypted while the database takes the current one. A batch is handed over only
    after the one before it has committed: a failed batch stops the import."""

    def __init__(self, db, reg, digest, result, report, progress):
        self.args = (db, reg, digest)
        self.result, self.report, self.progress = result, report, progress
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-import")
        self.pending: tuple[Future, _Batch] | None = None
        self.look_up = False  # until a batch meets a phone or ID already registered

    def submit(self, batch: _Batch, *, complete: bool) -> None:
        self.wait()
        future = self.executor.submit(_commit, *self.args, batch, self.result, complete=complete,
                                      look_up=self.look_up)
        self.pending = (future, batch)

    def wait(self) -> None:
        if self.pending is None:
            return
        future, batch = self.pending
        self.pending = None
        rejections, self.look_up = future.result()  # raises the batch's failure
        self.report.write(rejections)
        self.progress(len(batch))

    def close(self) -> None:
        """After a failure elsewhere: let a batch in flight finish (and report it if it committed)."""
        try:
            self.wait()
        except Exception:  # the failure already propagating is the one to report
            pass
        finally:
            self.executor.shutdown(wait=True)


def _commit(db: Database, reg: Registry, digest: str, batch: _Batch, result: ImportResult, *,
            complete: bool, look_up: bool) -> tuple[list[_Rejection], bool]:
    """One transaction for the batch; returns its rejections and whether later batches should look
    up taken phones and IDs first. Without the lookup the unique indexes refuse a batch that has a
    registered phone or ID: it is rolled back and written again with the lookup (and once more if a
    concurrent registration takes a phone or ID between the lookup and the insert)."""
    attempts = (False, True, True) if not look_up else (True, True)
    for number, checked in enumerate(attempts, start=1):
        try:
            return _write_batch(db, reg, digest, batch, result, complete=complete, look_up=checked), checked
        except IntegrityError:
            if number == len(attempts):
                raise
    raise AssertionError("unreachable")


def _write_batch(db: Database, reg: Registry, digest: str, batch: _Batch, result: ImportResult, *,
                 complete: bool, look_up: bool) -> list[_Rejection]:
    now = reg.now()
    rejections = list(batch.rejections)
    prepared = batch.prepared
    candidates = [index for index in range(len(prepared.lines)) if index not in batch.repeated]
    with db.transaction() as s:
        taken_phones = repo.taken_phones(s, [prepared.phones[i] for i in candidates]) if look_up else ()
        taken_ids = repo.taken_fingerprints(s, [prepared.fingerprints[i] for i in candidates]) if look_up else ()
        accepted = []
        for index in candidates:
            errors = {}
            if prepared.phones[index] in taken_phones:
                errors["phone"] = "is already registered"
            if prepared.fingerprints[index] in taken_ids:
                errors["id_number"] = "is already registered"
            if errors:
                line = prepared.lines[index]
                rejections.append(_Rejection(line, format_reasons(errors), batch.raw(line)))
            else:
                accepted.append(index)
        tables = prepared.tables if len(accepted) == len(prepared.lines) else tuple(
            select_rows(table, accepted) for table in prepared.tables)
        repo.insert_accounts_many(s, tables[0])
        repo.insert_volunteers_many(s, tables[1])
        repo.insert_outbox_many(s, tables[2])
        repo.save_import_checkpoint(s, digest, last_line=max(batch.chunk.last_line, result.last_line),
                                    imported=result.imported + len(accepted),
                                    rejected=result.rejected + len(rejections),
                                    completed_at=now if complete else None, updated_at=now)
    result.imported += len(accepted)
    result.rejected += len(rejections)
    result.last_line = max(batch.chunk.last_line, result.last_line)
    return rejections
