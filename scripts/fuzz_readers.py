"""Fuzz every reader through the real ingest (``make fuzz``).

    python scripts/fuzz_readers.py [--inputs 10000] [--seed 2026] [--batch 400] [--out .bench/fuzz.json]

Mutates the reader fixtures (``tests/readers/fixtures``) and the bundled examples: truncation,
byte flips, NUL bytes, lone surrogates (raw bytes and ``\\ud800`` escapes), CR/LF changes, deep
nesting, huge integers, odd dates, re-encodings, duplicated and deleted lines, junk. Inputs are
written in batches and ingested with ``storage.ingest.ingest_paths`` into a DuckDB store, one in
ten batches with the format forced to each reader in turn, so every reader sees every kind of
damage. Deterministic for a given ``--seed``. Prints and writes:

- ``inputs``: files generated and ingested;
- ``crashes``: an exception out of ingest, or out of a reader (caught by ``transcripts.read``
  or ``storage.ingest``, which quarantine the rest of the file);
- ``unexplained losses``: a batch whose counts do not add up (``read = stored + quarantined +
  duplicates``, checked against the store's rows too), a quarantine row without reason or
  message, or a non-empty file with no outcome at all (nothing read, nothing quarantined);
- ``record-level-only losses``: inputs that lost something and lost it only below file level
  (for a file whose undamaged seed holds one record, the file is that record; a file the
  damage left with no intact record of its seed, e.g. cut inside its first record, loses only
  damaged records: its whole-file entry is counted here and listed apart,
  ``may_hold_an_intact_record``); a file forced through a reader that reads no conversation
  of its undamaged seed either (a CSV forced through ``ccai_insights``) loses nothing to the
  damage: its whole-file entry is listed apart, neither record-level nor a whole-file loss;
  whole-file losses (a ``file`` entry, or a located one
  saying that what follows it was not read) are listed by reason, and those of line-based
  multi-record files (JSONL, CSV, plain text), which should never lose more than the damaged
  records, are counted apart.
- ``outcomes_sha256``: a digest of every input's outcome (``--outcomes`` writes them), equal
  for equal ``--seed`` whatever the hash seed.

Exit status 1 when there is a crash, an unexplained loss or an unexpected whole-file loss.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage.admission import PlausibleDates  # noqa: E402
from storage.ingest import FileProgress, ingest_paths  # noqa: E402
from storage.store import Store  # noqa: E402
from transcripts.json_stream import ScannedValue, scan_values  # noqa: E402
from transcripts.model import Conversation  # noqa: E402
from transcripts.read import read_path  # noqa: E402
from transcripts.readers.all import readers  # noqa: E402
from transcripts.textio import detect_encoding  # noqa: E402

SEED_DIRS = (ROOT / "tests" / "readers" / "fixtures", ROOT / "examples")
JSON_SUFFIXES = {".json", ".jsonl"}
LINE_BASED = {".jsonl", ".csv", ".txt"}  # one bad line must never cost the other records
RUN_STARTED = datetime(2026, 12, 1, tzinfo=UTC)  # fixed, so odd dates are judged the same every time
_READER_BUG = re.compile(r"reader '[^']+' failed after")  # read.py's message for a reader exception
# a located entry that still costs what follows it (``json_stream``: bytes that do not decode in strict
# ``text_chunks``, a broken element of a one-line array)
_REST_LOST = re.compile(
    r"the rest of the file was not read|everything after it were not read|elements after it on the same line"
)
MEMORY_LIMIT = 6 << 30  # a reader that blows up raises MemoryError (a crash) instead of sinking the machine
_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(rb"\d{3,}")
ODD_DATES = [b"9999-12-31", b"0001-01-01", b"2062-11-18", b"2026-02-30", b"1970-01-01", b"2026-13-45"]
HUGE_NUMBERS = [b"9" * 40, b"-" + b"9" * 25, b"1e400", b"18446744073709551616", b"NaN", b"-0.0e-999"]

Mutator = Callable[[bytes, random.Random], bytes]


def _at(data: bytes, rng: random.Random) -> int:
    return rng.randrange(len(data) + 1)


def truncate(data: bytes, rng: random.Random) -> bytes:
    """Cut the file anywhere (an upload that stopped)."""
    return data[: _at(data, rng)]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    """XOR one to three bytes with random values."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if out:
            i = rng.randrange(len(out))
            out[i] ^= rng.randint(1, 255)
    return bytes(out)


def insert_nul(data: bytes, rng: random.Random) -> bytes:
    """One to three NUL bytes anywhere."""
    for _ in range(rng.randint(1, 3)):
        i = _at(data, rng)
        data = data[:i] + b"\x00" + data[i:]
    return data


def lone_surrogate(data: bytes, rng: random.Random) -> bytes:
    """A lone surrogate: a ``\\ud800`` escape inside a JSON string, or its raw (invalid) UTF-8 bytes."""
    quotes = [m.end() for m in re.finditer(rb'"', data)]
    if quotes and rng.random() < 0.7:
        i = rng.choice(quotes)
        return data[:i] + rng.choice([b"\\ud800", b"\\udfff", b"\\ud83d"]) + data[i:]
    i = _at(data, rng)
    return data[:i] + b"\xed\xa0\x80" + data[i:]


def line_endings(data: bytes, rng: random.Random) -> bytes:
    """All line ends as CR, CRLF, or a random mix."""
    choice = rng.choice(["cr", "crlf", "mixed"])
    if choice == "cr":
        return data.replace(b"\n", b"\r")
    if choice == "crlf":
        return data.replace(b"\n", b"\r\n")
    return (
        b"".join(part + rng.choice([b"\n", b"\r", b"\r\n"]) for part in data.split(b"\n")[:-1])
        + data.split(b"\n")[-1]
    )


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    """A value nested thousands deep after a JSON colon (or anywhere)."""
    colons = [m.end() for m in re.finditer(rb":\s*", data)]
    i = rng.choice(colons) if colons else _at(data, rng)
    depth = rng.choice([200, 5000, 100_000])
    opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}")])
    return data[:i] + opener * depth + b"1" + closer * depth + b"," + data[i:]


def huge_int(data: bytes, rng: random.Random) -> bytes:
    """A run of digits replaced by a number no column holds."""
    runs = list(_DIGITS.finditer(data))
    if not runs:
        return data + rng.choice(HUGE_NUMBERS)
    m = rng.choice(runs)
    return data[: m.start()] + rng.choice(HUGE_NUMBERS) + data[m.end() :]


def odd_date(data: bytes, rng: random.Random) -> bytes:
    """A date replaced by one far in the future or past, or one that does not exist."""
    dates = list(_DATE.finditer(data))
    if not dates:
        return huge_int(data, rng)
    for m in rng.sample(dates, k=min(len(dates), rng.randint(1, 2))):
        data = data[: m.start()] + rng.choice(ODD_DATES) + data[m.end() :]
    return data


def re_encode(data: bytes, rng: random.Random) -> bytes:
    """A BOM, UTF-16 or Latin-1 bytes of the same text."""
    text = data.decode("utf-8", errors="replace")
    choice = rng.choice(["bom", "utf-16", "utf-16-le", "latin-1"])
    if choice == "bom":
        return b"\xef\xbb\xbf" + data
    return text.encode(choice, errors="replace")


def duplicate_line(data: bytes, rng: random.Random) -> bytes:
    """A line repeated (a re-sent record)."""
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    return b"\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])


def delete_chunk(data: bytes, rng: random.Random) -> bytes:
    """A run of up to 200 bytes removed."""
    i = _at(data, rng)
    return data[:i] + data[i + rng.randint(1, 200) :]


def junk(data: bytes, rng: random.Random) -> bytes:
    """Random bytes spliced in."""
    i = _at(data, rng)
    return data[:i] + rng.randbytes(rng.randint(1, 64)) + data[i:]


MUTATORS: dict[str, Mutator] = {
    f.__name__: f
    for f in (
        truncate, flip_bytes, insert_nul, lone_surrogate, line_endings, deep_nesting,
        huge_int, odd_date, re_encode, duplicate_line, delete_chunk, junk,
    )
}  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """One to three mutations of ``data``, and their names."""
    names = rng.sample(sorted(MUTATORS), k=rng.choice([1, 1, 1, 2, 3]))
    for name in names:
        data = MUTATORS[name](data, rng)
    return data, names


def seed_files() -> list[Path]:
    """Every fixture and example transcript (documentation left out)."""
    return sorted(p for d in SEED_DIRS for p in d.rglob("*") if p.is_file() and p.suffix not in {".md"})


@dataclass
class Figures:
    """What the fuzz run found."""

    inputs: int = 0
    crashes: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    with_loss: int = 0
    record_level_only: int = 0
    whole_file: Counter[str] = field(default_factory=Counter)
    whole_file_examples: list[str] = field(default_factory=list)
    no_intact_record: Counter[str] = field(default_factory=Counter)  # whole-file, no intact record lost
    no_intact_record_examples: list[str] = field(default_factory=list)
    format_mismatch: Counter[str] = field(default_factory=Counter)  # forced reader reads nothing of the seed
    unexpected_whole_file: list[str] = field(default_factory=list)
    by_mutation: Counter[str] = field(default_factory=Counter)
    by_format: Counter[str] = field(default_factory=Counter)
    forced: Counter[str] = field(default_factory=Counter)
    read: int = 0
    stored: int = 0
    quarantined: int = 0
    duplicates: int = 0
    outcomes: list[str] = field(default_factory=list)  # one line per input: what ingest made of it


def run_batch(
    folder: Path, files: dict[Path, tuple[Path, list[str]]], fmt: str | None, figures: Figures
) -> None:
    """Ingest one batch into a fresh store and check every file's and the batch's accounting."""
    progress: dict[Path, FileProgress] = {}
    plausible = PlausibleDates.load().at(RUN_STARTED)
    with Store(folder / "store.duckdb") as store:
        try:
            summary = ingest_paths(
                sorted(files), store, format=fmt, on_progress=lambda p: progress.__setitem__(p.path, p),
                plausible=plausible,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the point is to count them
            figures.crashes.append(f"batch {folder.name} (format {fmt}): {type(exc).__name__}: {exc}")
            return
        con = store.connection
        rows = con.execute("SELECT file, record, reason, message FROM quarantine").fetchall()
        stored_rows = con.execute("SELECT count(*) FROM conversations").fetchone()[0]
    figures.read += summary.read
    figures.stored += summary.stored
    figures.quarantined += summary.quarantined
    figures.duplicates += summary.duplicates
    for name, count in summary.by_format.items():
        figures.by_format[name] += count
    if not summary.invariant_holds or stored_rows != summary.new or len(rows) > summary.quarantined:
        figures.unexplained.append(
            f"batch {folder.name}: {summary.invariant_text()}, {stored_rows} stored rows, "
            f"{len(rows)} quarantine rows"
        )
    by_file: dict[str, list[tuple[str, str, bool]]] = {}
    for file, record, reason, message in rows:
        if _READER_BUG.search(message or ""):
            figures.crashes.append(f"{Path(file).name} [{record}]: {message.split(': ', 1)[-1]}")
        if not reason or not message:
            figures.unexplained.append(f"{file} [{record}]: quarantined without reason or message")
        rest_lost = _REST_LOST.search(message or "") is not None
        by_file.setdefault(file, []).append((record, reason, rest_lost))
    for path, (seed, names) in files.items():
        label = f"{path.name} (from {seed.relative_to(ROOT)}, {'+'.join(names)}, format {fmt or 'detected'})"
        done = progress.get(path)
        if done is None or done.status == "reading":
            figures.unexplained.append(f"{label}: no outcome reported")
            continue
        entries = by_file.get(str(path), [])
        figures.outcomes.append(
            f"{path.name}\t{fmt or '-'}\t{done.status}\t{done.read}\t"
            + " ".join(f"{record}:{reason}" for record, reason, _ in sorted(entries))
        )
        if done.status == "failed":
            message = next((m for f, _, _, m in rows if f == str(path)), "")
            if "reader failed" in message or "read failed" in message:
                figures.crashes.append(f"{label}: {message}")
                continue
        if done.read == 0 and path.stat().st_size > 0:
            figures.unexplained.append(f"{label}: {path.stat().st_size} bytes, nothing read or quarantined")
            continue
        if not entries:
            continue
        figures.with_loss += 1
        whole = [reason for record, reason, rest in entries if record == "file" or rest]
        if not whole or _seed_records(seed) <= 1:  # a one-record file: the file is the record
            figures.record_level_only += 1
            continue
        if fmt is not None and not _seed_read_as(seed, fmt):  # the wrong reader forced: nothing to keep
            figures.format_mismatch.update(whole)
            continue
        if not may_hold_an_intact_record(path, seed):  # e.g. cut inside its first record
            figures.record_level_only += 1
            figures.no_intact_record.update(whole)
            figures.no_intact_record_examples.append(f"{label}: {', '.join(whole)}")
            continue
        for reason in whole:
            figures.whole_file[reason] += 1
        figures.whole_file_examples.append(f"{label}: {', '.join(whole)}")
        if seed.suffix in LINE_BASED and fmt is None and _several_records(seed) and _lines_survive(path):
            figures.unexpected_whole_file.append(f"{label}: whole file quarantined ({', '.join(whole)})")


@functools.cache
def _seed_records(seed: Path) -> int:
    """Records (conversations, quarantines, duplicates) the undamaged seed file yields."""
    return sum(1 for _ in read_path(seed))


@functools.cache
def _seed_values(seed: Path) -> frozenset[str] | None:
    """The seed's JSON records as canonical text; None for a seed that is not JSON.

    Its records: each value ``scan_values`` yields (JSON lines, concatenated objects, array
    elements) and, in a file holding one object, the items of the lists under its keys (a
    page's conversations).
    """
    if seed.suffix not in JSON_SUFFIXES:
        return None
    scanned = [
        i.value for i in scan_values([_decoded(seed.read_bytes())], seed) if isinstance(i, ScannedValue)
    ]
    values = {_canonical(value) for value in scanned}
    if len(scanned) == 1 and isinstance(scanned[0], dict):
        lists = [listed for listed in scanned[0].values() if isinstance(listed, list)]
        values.update(_canonical(item) for listed in lists for item in listed)
    return frozenset(values)


@functools.cache
def _seed_read_as(seed: Path, fmt: str) -> bool:
    """Whether the undamaged seed, forced through reader ``fmt``, yields any conversation."""
    return any(isinstance(result, Conversation) for result in read_path(seed, format=fmt))


@functools.cache
def _seed_ids(seed: Path) -> tuple[str, ...]:
    """The ids of the conversations the undamaged seed yields."""
    return tuple(sorted({r.id for r in read_path(seed) if isinstance(r, Conversation)}))


_MAX_STARTS = 5000  # past this many ``{``, a file is taken to hold an intact record (never wrongly spared)


def may_hold_an_intact_record(path: Path, seed: Path) -> bool:
    """Whether the damaged file may still hold one of its seed's records intact.

    A JSON seed's record is intact when an object equal to it parses from some ``{`` of the
    damaged text; another seed's conversation may be intact while its id is still written
    in the file. False means the file held no intact record: its whole-file entry costs only
    damaged ones (a cut inside the first record, an emptied file, a CSV cut in its header).
    """
    text = _decoded(path.read_bytes())
    values = _seed_values(seed)
    if values is None:
        return any(conversation_id in text for conversation_id in _seed_ids(seed))
    decoder = json.JSONDecoder()
    for count, match in enumerate(re.finditer(r"\{", text)):
        if count >= _MAX_STARTS:
            return True
        try:
            value, _ = decoder.raw_decode(text, match.start())
            if _canonical(value) in values:
                return True
        except (json.JSONDecodeError, RecursionError):  # nested too deeply to be a seed's record
            continue
    return False


def _decoded(data: bytes) -> str:
    """``data`` as text in the encoding its head shows (UTF-8 when none), undecodable bytes replaced."""
    encoding = detect_encoding(data[:4096])
    codec, bom = (encoding.codec, encoding.bom) if encoding is not None else ("utf-8", 0)
    return data[bom:].decode(codec, errors="replace")


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _several_records(seed: Path) -> bool:
    return _seed_records(seed) > 1


def _lines_survive(path: Path) -> bool:
    """Whether the damaged file still has lines (LF or CR ends, any encoding), so records could be kept."""
    data = path.read_bytes()
    return max(data.count(b"\n"), data.count(b"\r")) > 2


def fuzz(inputs: int, seed: int, batch: int, work: Path) -> Figures:
    """Generate ``inputs`` mutated files and ingest them in batches of ``batch``."""
    rng = random.Random(seed)
    seeds = [(p, p.read_bytes()) for p in seed_files()]
    names = sorted(readers())
    figures = Figures()
    number = 0
    for index in range((inputs + batch - 1) // batch):
        fmt = names[(index // 10) % len(names)] if index % 10 == 9 else None
        folder = work / f"batch-{index:04d}"
        folder.mkdir(parents=True)
        files: dict[Path, tuple[Path, list[str]]] = {}
        for _ in range(min(batch, inputs - number)):
            source, data = rng.choice(seeds)
            mutated, applied = mutate(data, rng)
            path = folder / f"{number:05d}-{'+'.join(applied)}-{source.stem[:40]}{source.suffix}"
            path.write_bytes(mutated)
            files[path] = (source, applied)
            figures.by_mutation.update(applied)
            number += 1
        if fmt is not None:
            figures.forced[fmt] += len(files)
        run_batch(folder, files, fmt, figures)
        figures.inputs += len(files)
        shutil.rmtree(folder)
        print(
            f"\r{figures.inputs}/{inputs} inputs, {len(figures.crashes)} crashes, "
            f"{len(figures.unexplained)} unexplained", end="", file=sys.stderr, flush=True,
        )  # fmt: skip
    print(file=sys.stderr)
    return figures


def report(figures: Figures, seconds: float) -> dict[str, object]:
    """The figures as a JSON-ready dict."""
    return {
        "inputs": figures.inputs,
        "crashes": len(figures.crashes),
        "unexplained_losses": len(figures.unexplained),
        "inputs_with_loss": figures.with_loss,
        "record_level_only_losses": figures.record_level_only,
        "whole_file_losses_by_reason": dict(sorted(figures.whole_file.items())),
        "whole_file_entries_without_intact_records_by_reason": dict(sorted(figures.no_intact_record.items())),
        "forced_foreign_format_entries_by_reason": dict(sorted(figures.format_mismatch.items())),
        "unexpected_whole_file_losses": len(figures.unexpected_whole_file),
        "records": {
            "read": figures.read,
            "stored": figures.stored,
            "quarantined": figures.quarantined,
            "duplicates": figures.duplicates,
        },
        "by_mutation": dict(sorted(figures.by_mutation.items())),
        "by_detected_format": dict(sorted(figures.by_format.items())),
        "forced_format_inputs": dict(sorted(figures.forced.items())),
        "examples": {
            "crashes": figures.crashes[:20],
            "unexplained": figures.unexplained[:20],
            "unexpected_whole_file": figures.unexpected_whole_file[:20],
            "whole_file": figures.whole_file_examples[:50],
            "whole_file_without_intact_records": figures.no_intact_record_examples[:50],
        },
        "outcomes_sha256": hashlib.sha256("\n".join(figures.outcomes).encode()).hexdigest(),
        "seconds": round(seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / ".bench" / "fuzz.json")
    parser.add_argument("--outcomes", type=Path, help="also write each input's outcome, one line each")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    logging.getLogger("transcripts").setLevel(logging.CRITICAL)  # reader bugs are counted, not logged
    logging.getLogger("storage").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qareview-fuzz-") as work:
        figures = fuzz(args.inputs, args.seed, args.batch, Path(work))
    result = report(figures, time.perf_counter() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.outcomes:
        args.outcomes.write_text("".join(f"{line}\n" for line in figures.outcomes), encoding="utf-8")
    print(
        f"inputs {result['inputs']} · crashes {result['crashes']} · unexplained losses "
        f"{result['unexplained_losses']} · record-level-only losses {result['record_level_only_losses']} "
        f"of {result['inputs_with_loss']} inputs with a loss · unexpected whole-file losses "
        f"{result['unexpected_whole_file_losses']} · {result['seconds']} s"
    )
    print(f"whole-file losses by reason: {result['whole_file_losses_by_reason']}")
    print(
        "whole-file entries of files left with no intact record (counted record-level): "
        f"{result['whole_file_entries_without_intact_records_by_reason']}"
    )
    print(
        "whole-file entries of files forced through a reader that reads nothing of their undamaged seed: "
        f"{result['forced_foreign_format_entries_by_reason']}"
    )
    for line in result["examples"]["whole_file"]:  # type: ignore[index]
        print(f"  whole_file: {line}")
    for kind in ("crashes", "unexplained", "unexpected_whole_file"):
        for line in result["examples"][kind]:  # type: ignore[index]
            print(f"  {kind}: {line}")
    print(f"figures: {args.out}")
    bad = result["crashes"] or result["unexplained_losses"] or result["unexpected_whole_file_losses"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
