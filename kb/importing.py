"""Running an import: files -> importers -> store, in one transaction, with a report."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import KbError
from .importers import WEB_FORMATS, parse_file
from .linking import detect_and_apply
from .model import ImportWarning, Invalid, WorkRecord
from .record_checks import check_work_item
from .store import Counts, SaveResult, Store, file_checksum


@dataclass
class FileReport:
    path: str
    format: str
    counts: Counts = field(default_factory=Counts)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (record origin, existing citekey, reason)
    # (record origin, its new citekey, the citekey of the work it may be, why): listed by kb dedupe
    candidates: list[tuple[str, str, str, str]] = field(default_factory=list)
    import_id: int | None = None
    other: dict[str, int] = field(default_factory=dict)  # events, organisations, people saved
    warnings: list[str] = field(default_factory=list)  # "origin: message", one per ImportWarning
    warning_kinds: dict[str, int] = field(default_factory=dict)  # ImportWarning.kind -> how many

    def summary(self) -> str:
        c = self.counts
        parts = [
            f"{c.added} added",
            f"{c.updated} updated",
            f"{c.merged} merged as duplicates",
            f"{c.unchanged} unchanged",
            f"{c.skipped} skipped",
        ]
        others = ", ".join(f"{n} {kind}" for kind, n in sorted(self.other.items()) if n)
        warned = ", ".join(f"{n} {WARNING_KINDS.get(kind, kind)}" for kind, n in sorted(self.warning_kinds.items()))
        return (
            f"{self.path} ({self.format}): works: "
            + ", ".join(parts)
            + (f"; also {others}" if others else "")
            + (f"; warnings: {warned}" if warned else "")
        )

    def warn(self, warning: ImportWarning, origin: str | None) -> None:
        self.warnings.append(f"{origin}: {warning.message}" if origin else warning.message)
        self.warning_kinds[warning.kind] = self.warning_kinds.get(warning.kind, 0) + 1


# How the summary names each kind of warning.
WARNING_KINDS = {
    "date": "dates kept as written (needs review)",
    "field": "repeated fields ignored",
    "block": "blocks ignored",
    "text": "passages of text outside records skipped",
}


# How the summary names what is not a work.
RECORD_KINDS = {"EventRecord": "events", "OrganisationRecord": "organisations", "PersonRecord": "people"}


class DryRun(Exception):
    """Raised inside the transaction of a dry run so that nothing is kept."""


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    on_duplicate: str = "merge",
    dry_run: bool = False,
    skip_invalid: bool = False,
    added_by: str | None = None,
    tags: Iterable[str] = (),
    record_import: bool = True,
    progress: Callable[[list[Any], str], Iterable[Any]] | None = None,
    column_map: dict[str, str] | None = None,
    url: str | None = None,
    parse_before_lock: bool = True,
    bulk: bool = True,
) -> list[FileReport]:
    """Import files in one transaction; a bad record fails them all unless `skip_invalid`.

    `url` is the address of a saved or pasted web page (one file only). Works read from
    web pages get their mentions of organisations and events linked (source 'detected').
    New works' rows are written in bulk (kb/store/bulk.py) unless `bulk` is False or
    `skip_invalid` asks for a savepoint per record: then each record is written as it
    is saved (the same database either way; tests compare the two).
    """
    reports: list[FileReport] = []
    options = ImportOptions(
        on_duplicate=on_duplicate,
        skip_invalid=skip_invalid,
        added_by=added_by,
        tags=list(tags),
        record_import=record_import,
        progress=progress,
    )
    paths = list(paths)
    if url is not None and len(paths) != 1:
        raise KbError("--url names the address of one page: import that page alone")
    # Files are read and parsed before the write lock is taken, so another kb command
    # can write meanwhile; the lock is held only while the records are saved. A build
    # (a new file nobody else writes) parses one file at a time instead, to keep the
    # memory of a million works' records low.
    parsed: Iterable[tuple[str, str, Any]] = (
        (str(path), *_parse(str(path), fmt, encoding, column_map, url)) for path in paths
    )
    if parse_before_lock:
        parsed = list(parsed)
    try:
        with store.transaction(), store.deferred_fts(), store.identity_read_whole():
            with store.bulk_writes() if bulk and not skip_invalid else nullcontext():
                for path, file_format, records in parsed:
                    reports.append(_import_one(store, path, file_format, records, options))
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return reports


def _parse(
    path: str, fmt: str | None, encoding: str | None, column_map: dict[str, str] | None, url: str | None
) -> tuple[str, Any]:
    """(format, records) of one file, read before any write lock is taken."""
    fmt, records_iter = parse_file(path, fmt, encoding, column_map=column_map, url=url)
    # An importer may hand back a sized, lazy sequence (bibtex): records are then made
    # one at a time while they are saved, which keeps the peak memory near the parse's.
    return fmt, records_iter if hasattr(records_iter, "__len__") else list(records_iter)


@dataclass
class ImportOptions:
    """What `import_files` was asked, the same for every file of one import."""

    on_duplicate: str = "merge"  # one of kb.store.ON_DUPLICATE
    skip_invalid: bool = False  # skip (and count) bad records instead of failing the import
    added_by: str | None = None  # who added works whose records do not say
    tags: list[str] = field(default_factory=list)  # given to every work
    record_import: bool = True  # a row in `imports` and each work's provenance
    progress: Callable[[Any, str], Iterable[Any]] | None = None  # wraps the records (a progress bar)


def _import_one(store: Store, path: str, fmt: str, records: Any, options: ImportOptions) -> FileReport:
    on_duplicate, skip_invalid, added_by, tags = (
        options.on_duplicate,
        options.skip_invalid,
        options.added_by,
        options.tags,
    )
    report = FileReport(path, fmt)
    import_id = store.start_import(str(Path(path)), fmt, file_checksum(path)) if options.record_import else None
    report.import_id = import_id
    progress = options.progress
    iterator = progress(records, f"Importing {Path(path).name}") if progress else records
    seen: set[int | None] = set()
    page_works: list[int] = []
    for record in iterator:
        if isinstance(record, Invalid):
            if not skip_invalid:
                raise KbError(record.message, record.origin)
            report.counts.skipped += 1
            report.counts.skipped_reasons.append(f"{record.origin}: {record.message}")
            continue
        if isinstance(record, WorkRecord):
            if added_by and not record.added_by:
                record.added_by = added_by
            record.tags = [*record.tags, *tags]
        try:
            if isinstance(record, WorkRecord):
                check_work_item(record.item, record.origin or path)
            result = _save(store, record, on_duplicate, import_id, skip_invalid)
        except KbError as exc:
            if not skip_invalid:
                raise
            report.counts.skipped += 1
            report.counts.skipped_reasons.append(str(exc))
            continue
        if isinstance(record, WorkRecord):
            for warning in record.warnings:
                report.warn(warning, record.origin)
            if record.text and result.article_id is not None and result.outcome != "skipped":
                page_works.append(result.article_id)
            report.counts.count(result)
            if result.outcome == "skipped" and result.reason:
                report.counts.skipped_reasons.append(f"{record.origin}: {result.reason}")
            # A duplicate within this import is reported; an unchanged work that an earlier
            # import brought (re-importing a file) is not news.
            if result.duplicate_of and (
                result.outcome != "unchanged"
                or result.article_id in seen
                or not store.sourced_from(result.article_id, str(Path(path)), import_id)
            ):
                report.duplicates.append((record.origin or path, result.duplicate_of, result.reason or ""))
            for other_key, reason in result.candidates:
                report.candidates.append((record.origin or path, result.citekey or "", other_key, reason))
            seen.add(result.article_id)
        else:
            kind = RECORD_KINDS.get(type(record).__name__, "records")
            if result.outcome != "unchanged":
                report.other[kind] = report.other.get(kind, 0) + 1
    for warning, origin in getattr(records, "warnings", ()):  # about the file, not one work (bibtex's @set)
        report.warn(warning, origin)
    if fmt in WEB_FORMATS and page_works:
        report.other["detected links"] = detect_and_apply(store, page_works)
    if import_id is not None:
        store.finish_import(import_id, report.counts)
    return report


def _save(store: Store, record: Any, on_duplicate: str, import_id: int | None, skip_invalid: bool) -> SaveResult:
    if not skip_invalid:
        return store.save(record, on_duplicate, import_id)
    with store.savepoint():
        return store.save(record, on_duplicate, import_id)
