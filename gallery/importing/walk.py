"""Walking the folders to import, one entry at a time.

Nothing here lists a whole tree: files are yielded as ``os.scandir`` finds
them, and only the names of one folder's sub-folders are held while its files
go by, so memory stays flat however many files there are.
"""

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Found:
    """A file to import (``error`` is None), a folder that could not be
    read (``error`` says why), or a symbolic link (``link``), not followed."""

    path: Path
    root: Path
    error: OSError | None = None
    link: bool = False

    @property
    def relative(self):
        """The path below its root (the file name when the root is the file)."""
        if self.path == self.root:
            return Path(self.path.name)
        return self.path.relative_to(self.root)


def iter_files(roots, skip=()):
    """Yield a :class:`Found` for every regular file under ``roots``. Hidden
    files and folders are skipped, symlinks are never followed (so the walk
    cannot leave the roots) but found, so the import can say it left them
    out; sub-folders are visited in name order. Folders
    in ``skip`` are left out: the import's own media store, for one, which
    it would otherwise feed on (its new renditions are new images)."""
    skip = {os.path.realpath(folder) for folder in skip}
    for root in map(Path, roots):
        if root.is_file():
            yield Found(root, root)
        else:
            yield from _walk(root, root, skip)


def count_files(roots, skip=()):
    """How many files :func:`iter_files` will yield (for a progress bar)."""
    return sum(1 for found in iter_files(roots, skip) if found.error is None)


def _walk(folder, root, skip):
    if os.path.realpath(folder) in skip:
        return
    subfolders = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.name)
                elif entry.is_file(follow_symlinks=False):
                    yield Found(Path(entry.path), root)
                elif entry.is_symlink():
                    yield Found(Path(entry.path), root, link=True)
    except OSError as error:
        yield Found(Path(folder), root, error)
    for name in sorted(subfolders):
        yield from _walk(os.path.join(folder, name), root, skip)
