"""What became of each file, as the command reports it."""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

IMPORTED = "imported"
DUPLICATE = "duplicate"
REJECTED = "rejected"
SKIPPED = "skipped"  # not a photo by its name (gallery.formats.NOT_PHOTO_SUFFIXES)
WOULD_IMPORT = "would import"


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    outcome: str
    image_id: str | None = None
    reason: str | None = None
    code: str | None = None
    album: str | None = None

    def as_json(self):
        """One line of the ``--report`` file: UTF-8 but for a file name's
        bytes in another encoding (Python's lone surrogates), which are
        written as JSON escapes, read back as the same name."""
        line = json.dumps(
            {
                "path": str(self.path),
                "outcome": self.outcome,
                "image_id": self.image_id,
                "reason": self.reason,
                "code": self.code,
                "album": self.album,
            },
            ensure_ascii=False,
        )
        return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", line)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(path):
    """``path`` as a line of output can carry it: a name's bytes in another
    encoding (lone surrogates, which a strict UTF-8 stream refuses) shown
    as escapes, ``caf\\xe9.jpg``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
