"""What bench/albums.py finds without timing: what each viewer has in the
library, and the query plans of the querysets the selectors build."""

from bench.pages import PAGE

DEEP = 100  # the album page compared with the first


def plans(viewers, targets, after):
    """``EXPLAIN QUERY PLAN`` of the querysets the selectors build: the big
    album's page ``DEEP`` (``album_page``: ``in_album``)
    and a small album's first page, the gallery's shared part at
    a page's cursor and ``?show=shared`` (``shared_with``), what the albums
    list counts in a shared album (``album_summary``), a file of another's
    private image (``image_for_file``), and the albums a signed-in gallery
    page looks up (``Album.objects.visible_to``, the shape ``shared_with``
    reads its albums' ids with; ``albums_to_add_to``)."""
    from gallery.models import Album, Image
    from gallery.pagination import ORDERS
    from gallery.selectors import albums_to_add_to, visible_images

    taken = ORDERS["taken"]

    def page(part, at):
        older = taken.after(part, taken.read(at)) if at else part
        return taken.newest_first(older)[: PAGE + 1]

    owner, with_shares = viewers["album owner"][1], viewers["with shares"][1]
    found = {
        f"album page {DEEP}": page(
            Image.objects.in_album(targets.album, viewer=owner), targets.deep
        )
    }
    small = targets.small_albums["own"]
    found[f"page 1 of an album of {small.size} (with shares)"] = page(
        Image.objects.in_album(small, viewer=with_shares), ""
    )
    for name in ("with shares", "album owner"):
        shared = Image.objects.visible_parts(viewers[name][1])[2]
        found[f"gallery, shared part ({name})"] = page(shared, after)
    found["?show=shared, page 1 (with shares)"] = page(
        Image.objects.shared_with(with_shares), ""
    )
    shared_album = Album.objects.shared_with(with_shares).first()
    found["/albums/, a shared album's images (with shares)"] = Image.objects.in_album(
        shared_album, viewer=with_shares
    )
    found["a file of another's private image (image_for_file, with shares)"] = (
        visible_images(with_shares).filter(pk=targets.shared_private)
    )
    found["albums a viewer may open (without albums)"] = Album.objects.visible_to(
        viewers["without albums"][1]
    )
    found["albums to add to (without albums)"] = albums_to_add_to(
        viewer=viewers["without albums"][1]
    )
    return {name: queryset.explain() for name, queryset in found.items()}


def scans(plan):
    """The plan's steps that read a whole table or index instead of seeking
    in one."""
    return [line for line in plan.splitlines() if " SCAN " in f" {line} "]


def print_plans(found):
    for name, plan in found.items():
        steps = scans(plan)
        full = [step for step in steps if "SCAN gallery_image" in step]
        verdict = (
            "full SCAN of gallery_image" if full else "no full SCAN of gallery_image"
        )
        print(f"\n{name}: {verdict}" + (f"; scans: {steps}" if steps else ""))
        print("    " + plan.replace("\n", "\n    "))


def facts(db, people, album_pk):
    """What each viewer has: images, albums, shares, and how many distinct
    images their albums (owned or shared with them) hold."""
    sql = {
        "own images": "SELECT count(*) FROM gallery_image WHERE owner_id = :u",
        "own private": "SELECT count(*) FROM gallery_image WHERE owner_id = :u "
        "AND visibility = 'private'",
        "own albums": "SELECT count(*) FROM gallery_album WHERE owner_id = :u",
        "albums shared with them": "SELECT count(*) FROM gallery_albumshare "
        "WHERE user_id = :u",
        "images in albums shared with them": "SELECT count(DISTINCT image_id) "
        "FROM gallery_albumimage JOIN gallery_albumshare USING (album_id) "
        "WHERE user_id = :u",
        "others' private in their albums": "SELECT count(DISTINCT image_id) "
        "FROM gallery_albumimage JOIN gallery_image ON gallery_image.id = image_id "
        "WHERE visibility = 'private' AND owner_id != :u AND album_id IN "
        "(SELECT id FROM gallery_album WHERE owner_id = :u UNION "
        "SELECT album_id FROM gallery_albumshare WHERE user_id = :u)",
        "images in their albums": "SELECT count(DISTINCT image_id) "
        "FROM gallery_albumimage WHERE album_id IN "
        "(SELECT id FROM gallery_album WHERE owner_id = :u UNION "
        "SELECT album_id FROM gallery_albumshare WHERE user_id = :u)",
    }
    users = {
        "with shares": people.viewer,
        "without albums": people.baseline,
        "album owner": people.big_owner,
    }
    found = {
        viewer: {what: db.execute(q, {"u": u}).fetchone()[0] for what, q in sql.items()}
        for viewer, u in users.items()
    }
    found["library"] = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("gallery_album", "gallery_albumimage", "gallery_albumshare")
    }
    found["big album"] = {
        "images": db.execute(
            "SELECT count(*) FROM gallery_albumimage WHERE album_id = ?", [album_pk]
        ).fetchone()[0]
    }
    return found
