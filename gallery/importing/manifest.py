"""``--manifest FILE.csv``: a title, description and visibility per file.

Columns: ``path,title,description,visibility`` (only ``path`` is required; an
empty cell keeps the command-line default). A path is matched against each
file's path below the folder given to ``import_images`` (``2023/a.jpg``) or,
if absolute, against its absolute path. The manifest is held in memory: its
size is the user's choice, unlike the size of the tree being walked.
"""

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from ..models import Visibility

COLUMNS = ("path", "title", "description", "visibility")


class ManifestError(ValueError):
    """The manifest cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    title: str = ""
    description: str = ""
    visibility: str = ""


class Manifest:
    def __init__(self, entries):
        self._entries = entries
        self.matched = set()

    @classmethod
    def load(cls, path):
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                return cls(_read(csv.DictReader(handle), path))
        except OSError as error:
            raise ManifestError(f"Cannot read {path}: {error.strerror}.") from None
        except (UnicodeDecodeError, csv.Error) as error:
            raise ManifestError(f"{path} is not a UTF-8 CSV file: {error}.") from None

    def lookup(self, found):
        """The entry for a :class:`~gallery.importing.walk.Found` file, or None."""
        for key in (_key(found.relative), _key(os.path.abspath(found.path))):
            entry = self._entries.get(key)
            if entry is not None:
                self.matched.add(key)
                return entry
        return None

    @property
    def unmatched(self):
        """How many manifest rows named no file that was imported."""
        return len(self._entries) - len(self.matched)


def _read(reader, path):
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "path" not in columns:
        raise ManifestError(
            f"{path} has no 'path' column (expected: path,title,"
            "description,visibility)."
        )
    unknown = sorted(set(columns) - set(COLUMNS))
    if unknown:
        raise ManifestError(f"{path} has unknown columns: {', '.join(unknown)}.")
    reader.fieldnames = columns
    entries = {}
    for row in reader:
        line = reader.line_num
        if not (row.get("path") or "").strip():
            raise ManifestError(f"{path}, line {line}: the path is empty.")
        entries[_key(row["path"].strip())] = _entry(row, f"{path}, line {line}")
    return entries


def _entry(row, where):
    visibility = (row.get("visibility") or "").strip().lower()
    if visibility and visibility not in Visibility.values:
        raise ManifestError(
            f"{where}: visibility must be public or private, not {visibility!r}."
        )
    for column in ("title", "description"):
        # Python's csv reads it; PostgreSQL would refuse the whole batch.
        if "\x00" in (row.get(column) or ""):
            raise ManifestError(f"{where}: the {column} holds a NUL character.")
    return ManifestEntry(
        title=(row.get("title") or "").strip(),
        description=(row.get("description") or "").strip(),
        visibility=visibility,
    )


def _key(path):
    return Path(os.path.normpath(path)).as_posix()
