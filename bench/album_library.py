"""Albums and shares in a benchmark library, added once.

``bench.dataset`` makes the images and their owners; this adds what albums
and sharing are measured with, at the scale the feature's issue names:
10,000 albums spread over the owners, one of them of 10,000 images, and
1,000 shares. They go into a copy of that library, made once: every
signed-in page reads the album tables (which albums are the viewer's, which
they may add to), so albums in the library itself would change what
bench/pages.py measures for its owner. Rows go in by SQL in one transaction,
as dataset.py's do; a copy that has them is left as it is.

Who is who:

* ``VIEWER`` owns albums like everyone and has a dozen of other people's
  albums shared with them, a few thousand images in all, private ones among
  them (an album holds its owner's images, a tenth of them private);
* ``BIG_OWNER`` owns the album of 10,000 images. An owner has about a
  thousand images, so the album is filled as a shared family album would be:
  with the owner's own and those of the contributors it is shared with;
* the *baseline* viewer (the owner whose number of images, and of private
  ones, is nearest the viewer's) and ``bench.pages.OWNER`` have no album and
  nothing shared with them: the baseline is the viewer without albums, and
  the other benchmarks' signed-in owner reads the pages it read before.
"""

import random
import sqlite3
import uuid
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.dataset import build, migrate
from bench.pages import OWNER

ALBUMS = 10_000
SHARES = 1_000
BIG_ALBUM = 10_000
BIG_TITLE = "Everyone's photos"
# Most albums are small; a few hold most of an owner's photos.
SMALL, LARGE, LARGE_SHARE = (20, 200), (200, 1_000), 0.02
# What the viewer's shared albums hold in all, at a million images.
SHARED_IMAGES = 3_000
VIEWER, BIG_OWNER = "owner24", "owner7"
CONTRIBUTOR_SHARE, DOWNLOAD_SHARE = 0.1, 0.3
# Albums are made after the library's uploads (January 2015).
MADE = datetime(2015, 2, 1)


@dataclass(frozen=True)
class Cast:
    """The user ids of the people the benchmark signs in as."""

    viewer: int
    baseline: int
    big_owner: int
    pages_owner: int


def cast(db):
    """Who is who in the library (see the module docstring)."""
    ids = dict(db.execute("SELECT username, id FROM auth_user"))
    counts = {
        owner: (images, private)
        for owner, images, private in db.execute(
            "SELECT owner_id, count(*), sum(visibility = 'private') "
            "FROM gallery_image WHERE trashed_at IS NULL GROUP BY owner_id"
        )
    }
    viewer, big_owner, pages_owner = ids[VIEWER], ids[BIG_OWNER], ids[OWNER]
    images, private = counts[viewer]
    baseline = min(
        (o for o in counts if o not in {viewer, big_owner, pages_owner}),
        key=lambda o: (abs(counts[o][0] - images) + abs(counts[o][1] - private), o),
    )
    return Cast(viewer, baseline, big_owner, pages_owner)


def big_album(db):
    """The id of the album of 10,000 images, or None before it is made."""
    row = db.execute(
        "SELECT gallery_album.id FROM gallery_album JOIN auth_user "
        "ON auth_user.id = owner_id WHERE username = ? AND title = ?",
        [BIG_OWNER, BIG_TITLE],
    ).fetchone()
    return row and row[0]


def library_with_albums(rows):
    """The path of the library of ``rows`` images with its albums and shares
    (see the module docstring), copied from bench.dataset's the first time."""
    source = build(rows)
    path = source.with_name(f"library-{rows}-albums.sqlite3")
    if path.exists():
        migrate(path)
    else:
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        with (
            closing(sqlite3.connect(source)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
        partial.rename(path)
    add_albums(path, rows)
    return path


def add_albums(path, rows, seed=11):
    """Give the library at ``path`` (of ``rows`` images) its albums and
    shares unless it has them; returns the big album's id."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        if found := big_album(db):
            return found
        if db.execute("SELECT 1 FROM gallery_album LIMIT 1").fetchone():
            raise SystemExit(f"{path.name} has albums this script did not make")
        people = cast(db)
        images = defaultdict(list)
        live = "SELECT owner_id, id FROM gallery_image WHERE trashed_at IS NULL"
        for owner, pk in db.execute(f"{live} ORDER BY rowid"):
            images[owner].append(pk)
        albums, shares = _plan(people, images, rows, random.Random(seed))
        db.execute("BEGIN")
        try:
            _insert(db, albums, shares)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return albums[0].pk
    finally:
        db.close()


@dataclass
class Album:
    pk: str
    owner: int
    title: str
    entries: list  # (image id, who added it)


def _plan(people, images, rows, rng):
    """The albums (the big one first) and shares ``(album, user, role,
    allow_download)`` to add."""
    quiet = {people.baseline, people.pages_owner}
    owners = sorted(o for o in images if o not in quiet)

    def new_album(owner, title, entries):
        return Album(uuid.UUID(int=rng.getrandbits(128)).hex, owner, title, entries)

    # The big album: its owner's images, then each contributor's in turn.
    size = min(BIG_ALBUM, rows * 6 // 10)  # a smaller library: still 100 pages
    others = [o for o in owners if o not in {people.big_owner, people.viewer}]
    entries, shares = [], []
    for person in [people.big_owner, *rng.sample(others, len(others))]:
        if len(entries) >= size:
            break
        if person != people.big_owner:
            shares.append((0, person, "contributor", False))
        entries += [(pk, person) for pk in images[person][: size - len(entries)]]
    albums = [new_album(people.big_owner, BIG_TITLE, entries)]
    made = defaultdict(int)
    for n in range(ALBUMS - 1):
        owner = owners[n % len(owners)]
        made[owner] += 1
        low, high = LARGE if rng.random() < LARGE_SHARE else SMALL
        count = min(rng.randint(low, high), len(images[owner]))
        picked = rng.sample(images[owner], count)
        albums.append(
            new_album(owner, f"Album {made[owner]}", [(pk, owner) for pk in picked])
        )
    return albums, shares + _shares(albums, people, owners, rows, rng, len(shares))


def _shares(albums, people, owners, rows, rng, already):
    """Shares of the small albums: the viewer's (the biggest of a hundred
    albums picked at random, until they hold a few thousand images), then
    others at random, to ``SHARES`` in all."""
    target = min(SHARED_IMAGES, rows // 300)
    others = [i for i, a in enumerate(albums[1:], 1) if a.owner != people.viewer]
    picked = sorted(rng.sample(others, 100), key=lambda i: -len(albums[i].entries))
    shares, held = [], 0
    for i in picked:
        if held >= target:
            break
        shares.append((i, people.viewer, "viewer", rng.random() < DOWNLOAD_SHARE))
        held += len(albums[i].entries)
    taken = {(i, user) for i, user, *_ in shares}
    people_shared_with = [o for o in owners if o != people.viewer]
    while already + len(shares) < SHARES:
        i, user = rng.randrange(1, len(albums)), rng.choice(people_shared_with)
        if user == albums[i].owner or (i, user) in taken:
            continue
        taken.add((i, user))
        role = "contributor" if rng.random() < CONTRIBUTOR_SHARE else "viewer"
        shares.append((i, user, role, rng.random() < DOWNLOAD_SHARE))
    return shares


def _insert(db, albums, shares):
    def stamp(minutes):
        return (MADE + timedelta(minutes=minutes)).isoformat(" ")

    db.executemany(
        "INSERT INTO gallery_album (id, owner_id, title, description, cover_id, "
        "created_at, updated_at) VALUES (?, ?, ?, '', NULL, ?, ?)",
        ((a.pk, a.owner, a.title, stamp(n), stamp(n)) for n, a in enumerate(albums)),
    )
    db.executemany(
        "INSERT INTO gallery_albumimage (album_id, image_id, added_by_id, added_at) "
        "VALUES (?, ?, ?, ?)",
        (
            (album.pk, pk, added_by, stamp(n))
            for n, album in enumerate(albums)
            for pk, added_by in album.entries
        ),
    )
    db.executemany(
        "INSERT INTO gallery_albumshare (album_id, user_id, role, allow_download, "
        "created_at) VALUES (?, ?, ?, ?, ?)",
        (
            (albums[i].pk, user, role, download, stamp(len(albums) + n))
            for n, (i, user, role, download) in enumerate(shares)
        ),
    )
