"""Fingerprints of published files, kept beside them, so that a publish rewrites only what changed.

Every file a publish writes gets a fingerprint, recorded only after the file is written:

* a conversation page: a hash of everything the page is built from
  (``rendering.page_fingerprints``). That is its stored rows, the shared page context, the
  rubric, the redaction policy, the known customer names its texts could contain, and the
  rendering code. An unchanged page is not even built, so its texts are not redacted again;
* any other file (cards, index, routing report, CSVs): a hash of its rendered text, with the
  "Generated" time left out (``site_writer.GENERATED_AT``).

An incremental publish leaves a file alone when its fingerprint equals the recorded one and the
file still exists. A full publish (``incremental=False``) writes every file and records the
fingerprints again.

The records live in ``OUT/.qareview-pages.tsv`` (fingerprint, tab, path; sorted by path). A
publish opens ``OUT/.qareview-pages.log`` when it starts, and appends a line to it (flushed) after
each file is written. So a publish killed mid-way leaves fingerprints only for complete files,
and the next publish writes the rest. At the end the log is folded into the TSV, which is
replaced in one step (and left alone when nothing changed), and the log is removed. If a log
is left behind, the last publish did not finish (:func:`publication_complete`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import TracebackType

from rendering.site_writer import GENERATED_AT, generated_now, write_text

RECORDS = ".qareview-pages.tsv"
LOG = ".qareview-pages.log"


def fingerprint(*parts: object) -> str:
    """A SHA-256 over the ``repr`` of ``parts`` (use only values whose repr is their content)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def text_fingerprint(text: str) -> str:
    """A SHA-256 of rendered text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _parse(text: str, into: dict[str, str]) -> None:
    for line in text.split("\n")[:-1]:  # a last line without its newline was cut off by a kill
        digest, sep, path = line.partition("\t")
        if sep and len(digest) == 64 and path:
            into[path] = digest


def read_records(out: Path) -> dict[str, str]:
    """Recorded fingerprints by path relative to ``out`` (the log's lines override the TSV's)."""
    records: dict[str, str] = {}
    for name in (RECORDS, LOG):
        try:
            _parse((out / name).read_text(encoding="utf-8"), records)
        except FileNotFoundError:
            continue
    return records


def publication_complete(out: Path) -> bool:
    """False while a publish into ``out`` runs, or when the last one was interrupted."""
    return not (out / LOG).exists()


class PageLedger:
    """Writes a publish's files and records their fingerprints; use as a context manager.

    ``written`` and ``kept`` list the files this publish wrote and the files it left alone,
    ``removed`` the files of earlier publishes it deleted (:meth:`remove_others`). On an
    exception the log stays behind, so the next publish knows this one did not finish.
    """

    def __init__(self, out: Path, *, incremental: bool) -> None:
        self.out = out
        self.incremental = incremental
        self.written: list[Path] = []
        self.kept: list[Path] = []
        self.removed: list[Path] = []
        self._previous = read_records(out)
        self._current: dict[str, str] = {}
        self._now = generated_now()
        out.mkdir(parents=True, exist_ok=True)
        self._log = (out / LOG).open("a", encoding="utf-8")

    def __enter__(self) -> PageLedger:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.finish()
        else:
            self._log.close()

    def _key(self, path: Path) -> str | None:
        key = path.relative_to(self.out).as_posix()
        return None if "\t" in key or "\n" in key or "\r" in key else key

    def is_current(self, path: Path, digest: str) -> bool:
        """True when an incremental publish may leave ``path`` as it is."""
        key = self._key(path)
        return self.incremental and key is not None and self._previous.get(key) == digest and path.is_file()

    def keep(self, path: Path, digest: str) -> Path:
        """Leave ``path`` as it is (its recorded fingerprint is ``digest``)."""
        key = self._key(path)
        if key is not None:
            self._current[key] = digest
        self.kept.append(path)
        return path

    def write(self, path: Path, text: str, digest: str | None = None) -> Path:
        """Write ``text`` unless ``path`` is current; ``digest`` defaults to the text's fingerprint.

        ``GENERATED_AT`` in ``text`` becomes this publish's time.
        """
        digest = digest or text_fingerprint(text)
        if self.is_current(path, digest):
            return self.keep(path, digest)
        write_text(path, text.replace(GENERATED_AT, self._now))
        key = self._key(path)
        if key is not None:
            self._log.write(f"{digest}\t{key}\n")
            self._log.flush()
            self._current[key] = digest
        self.written.append(path)
        return path

    def remove_others(self) -> None:
        """Delete the files earlier publishes recorded that this one neither wrote nor kept.

        For a publish of the whole site: a conversation no card or report links to any more, the
        card of a representative without contacts in the period. Files no publish recorded (the
        run pages, anything else in the folder) are never touched.
        """
        for key in sorted(set(self._previous) - set(self._current)):
            path = self.out / key
            if path.is_file():
                path.unlink()
                self.removed.append(path)

    def finish(self) -> None:
        """Fold this publish's records into the TSV and remove the log."""
        records = {**self._previous, **self._current}
        lines = "".join(f"{records[k]}\t{k}\n" for k in sorted(records) if (self.out / k).is_file())
        target = self.out / RECORDS
        if not target.is_file() or target.read_text(encoding="utf-8") != lines:
            temporary = self.out / f"{RECORDS}.tmp"
            temporary.write_text(lines, encoding="utf-8")
            os.replace(temporary, target)
        self._log.close()
        (self.out / LOG).unlink(missing_ok=True)
