"""Putting imported images in albums: ``--album NAME`` and ``--album-from
folder``.

Each file's album is chosen as it is found (:func:`album_title`) and rides
on its result; :class:`AlbumFiller` adds the images that came in, or were
there already, to their albums a batch at a time through the album services.
Adding is idempotent, so a rerun after a crash fills in whatever the crash
left out and adds nothing twice.
"""

from collections import defaultdict

from ..services.albums import album_add_images, album_for_import, clean_title
from .results import DUPLICATE, IMPORTED

# Where --album-from takes a file's album from.
ALBUM_FROM = ("folder",)


def album_title(found, *, album="", album_from=""):
    """The album the file ``found`` goes in, or None. ``album_from`` "folder":
    its folder's path below the imported folder (``2023/summer``); files
    directly in the imported folder go in no album. Raises
    ``ValidationError`` for a path no album can be called (too long)."""
    if album:
        return album
    if album_from == "folder":
        folder = found.relative.parent.as_posix()
        # A name that is not UTF-8 reads with its stray bytes written out
        # ("caf\xe9"): as "�", two folders would fill one album.
        folder = folder.encode("utf-8", "surrogateescape").decode(
            "utf-8", "backslashreplace"
        )
        # A folder named only with spaces makes no title.
        if folder == "." or not folder.strip():
            return None
        return clean_title(folder)
    return None


class AlbumFiller:
    """Collects the imported and duplicate images of a run by album and adds
    them when ``batch_size`` are waiting, and when the run ends. Albums it
    makes are read in ``order`` (an ``AlbumOrder``, None for the default)."""

    def __init__(self, owner, *, batch_size, order=None):
        self.owner, self.batch_size, self.order = owner, batch_size, order
        self.waiting = defaultdict(list)  # album title -> image ids
        self.count = 0
        self.albums = {}  # title -> Album, each looked up or made once a run

    def filled(self, results):
        """``results`` passed on, each one's image noted for its album. Closed
        early (the run interrupted), the images already noted still go in."""
        try:
            for result in results:
                self.note(result)
                yield result
        # However the run ends early: closed by the caller (GeneratorExit),
        # Ctrl-C or an error below this loop.
        except BaseException:
            self.flush()
            raise
        self.flush()

    def note(self, result):
        if result.album and result.image_id and result.outcome in (IMPORTED, DUPLICATE):
            self.waiting[result.album].append(result.image_id)
            self.count += 1
            if self.count >= self.batch_size:
                self.flush()

    def flush(self):
        for title, image_ids in self.waiting.items():
            album_add_images(self.album(title), user=self.owner, images=image_ids)
        self.waiting.clear()
        self.count = 0

    def album(self, title):
        if title not in self.albums:
            self.albums[title] = album_for_import(
                owner=self.owner, title=title, order=self.order
            )
        return self.albums[title]
