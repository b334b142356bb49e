"""``imagerepo-client list``: a table for people, JSON for programs. Both are
printed page by page as they arrive, so long listings start at once."""

import json
import sys

COLUMNS = [("ID", 36), ("VISIBILITY", 10), ("OWNER", 12), ("SIZE", 9), ("CREATED", 16)]


def human_size(size):
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def table_row(item):
    cells = [
        item["id"],
        item["visibility"],
        item["owner"][:12],
        human_size(item["file_size"]),
        item["created_at"][:16].replace("T", " "),
    ]
    fixed = "  ".join(
        f"{cell:<{width}}" for cell, (_, width) in zip(cells, COLUMNS, strict=True)
    )
    return f"{fixed}  {item['title']}"


def opening(as_json):
    if as_json:
        return "["
    header = "  ".join(f"{name:<{width}}" for name, width in COLUMNS)
    return f"{header}  TITLE\n"


async def print_images(items, *, as_json=False, limit=None, out=None):
    """Print ``items`` as they arrive. Nothing is printed until the first page
    has come (or the listing turned out empty): a refused token or a server
    that is down leaves ``list --json > images.json`` empty, not a stray ``[``."""
    out = out or sys.stdout
    count = 0
    async for item in items:
        if limit is not None and count >= limit:
            break
        if not count:
            out.write(opening(as_json))
        if as_json:
            out.write(("," if count else "") + "\n  " + json.dumps(item))
        else:
            out.write(table_row(item) + "\n")
        count += 1
    if not count:
        out.write(opening(as_json))
    if as_json:
        out.write("\n]\n" if count else "]\n")
    else:
        out.write(f"{count} image{'s' if count != 1 else ''}.\n")
    return count
