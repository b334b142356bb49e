"""Cached result grids (gallery.result_cache) are never stale and never
another viewer's: every kind of write shows on the next request, each viewer
gets their own grid, the page around a grid is each request's own, the
switch turns it off, and a failing cache only costs the page its speed."""

import re
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from api.tokens import token_create
from gallery import library_version
from gallery.models import Image, LibraryVersion
from gallery.result_cache import CACHE, Listing, Results, Viewer, cache_key, results_for

from .images import noisy_jpeg

pytestmark = pytest.mark.django_db

INDEX = reverse("gallery:index")


@pytest.fixture(autouse=True)
def empty_result_cache():
    # Hygiene only: keys hold the library version, new in every test that
    # writes an image.
    caches[CACHE].clear()


def grid(client, **params):
    """The tile titles and the count a visitor sees."""
    html = client.get(INDEX, params).content.decode()
    titles = re.findall(r'class="tile-link"[^>]*data-title="([^"]*)"', html)
    count = re.search(r'id="result-count">(.*?)</span>', html, re.S)[1]
    return titles, " ".join(count.split())


def is_cached(user=None, **params):
    """Whether the grid ``user`` would get for ``params`` is in the cache now."""
    listing = Listing(
        Viewer(user.pk if user else None),
        params.get("show", "all"),
        params.get("q", ""),
        params.get("after", ""),
    )
    key = cache_key(listing, library_version.current(), "default")
    return caches[CACHE].has_key(key)


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")
    return client


def db_id(image):
    return Image._meta.pk.get_db_prep_value(image.pk, connection)


# ---------------------------------------------------------------- every write


def _as_owner(post):
    """``post(client, image)`` by the image's owner, signed in."""

    def write(image, staff):
        client = Client()
        client.force_login(image.owner)
        response = post(client, image)
        assert response.status_code in (200, 204, 302), response.status_code

    return write


def _admin(action):
    def write(image, staff):
        client = Client()
        client.force_login(staff)
        data = {"action": action, "_selected_action": [str(image.pk)], "post": "yes"}
        response = client.post(reverse("admin:gallery_image_changelist"), data)
        assert response.status_code == 302

    return write


def _raw_sql(sql):
    def write(image, staff):
        with connection.cursor() as cursor:
            cursor.execute(sql, [db_id(image)])

    return write


def _edit_page(**fields):
    def post(client, image):
        data = {"title": image.title, "description": "", "visibility": "public"}
        return client.post(reverse("gallery:edit", args=[image.pk]), data | fields)

    return _as_owner(post)


def _bulk(action):
    def post(client, image):
        data = {"action": action, "images": [str(image.pk)], "confirmed": "1"}
        return client.post(reverse("gallery:bulk"), data)

    return _as_owner(post)


def _api(method, **fields):
    def write(image, staff):
        client = api_for(image.owner)
        url = f"/api/v1/images/{image.pk}/"
        response = getattr(client, method)(url, fields or None, format="json")
        assert response.status_code in (200, 204), response.content

    return write


# Each makes the image "Lagoon at dawn" leave what others see.
HIDING_WRITES = {
    "visibility on the edit page": _edit_page(visibility="private"),
    "title on the edit page": _edit_page(title="Renamed"),
    "bulk make private": _bulk("private"),
    "bulk delete": _bulk("delete"),
    "admin make private": _admin("make_private"),
    "admin delete": _admin("delete_selected"),
    "API PATCH visibility": _api("patch", visibility="private"),
    "API PATCH title": _api("patch", title="Renamed"),
    "API DELETE": _api("delete"),
    "delete page": _as_owner(
        lambda client, image: client.post(reverse("gallery:delete", args=[image.pk]))
    ),
    "queryset update": lambda image, staff: Image.objects.filter(pk=image.pk).update(
        visibility="private"
    ),
    "raw SQL update": _raw_sql(
        "UPDATE gallery_image SET visibility = 'private' WHERE id = %s"
    ),
    "raw SQL delete": _raw_sql("DELETE FROM gallery_image WHERE id = %s"),
}


@pytest.mark.parametrize("name", list(HIDING_WRITES))
def test_a_cached_grid_never_outlives_a_write(
    name, client_for, user, other_user, staff_user, make_image
):
    image = make_image(user, title="Lagoon at dawn", description="calm water")
    make_image(user, title="Harbour")
    viewers = {None: client_for(None), other_user: client_for(other_user)}
    for viewer, client in viewers.items():
        for params in ({}, {"q": "lagoon"}, {"q": "calm"}):
            assert "Lagoon at dawn" in grid(client, **params)[0]
            assert is_cached(viewer, **params)  # the next visit would reuse it
    HIDING_WRITES[name](image, staff_user)
    renamed = "title" in name
    for client in viewers.values():
        assert grid(client) == (
            (["Harbour", "Renamed"], "2 images")
            if renamed
            else (["Harbour"], "1 image")
        )
        assert grid(client, q="lagoon") == ([], "0 images")
        assert "Lagoon at dawn" not in grid(client, q="calm")[0]


def _upload_page(owner, folder):
    client = Client()
    client.force_login(owner)
    data = {"visibility": "public", "title": "Lagoon", "description": ""}
    upload = _jpeg_file(folder, "lagoon.jpg")
    with upload.open("rb") as handle:
        client.post(reverse("gallery:upload"), {**data, "images": [handle]})


def _import(owner, folder):
    _jpeg_file(folder, "Lagoon.jpg")
    call_command("import_images", str(folder), "--owner", owner.username, workers=1)


def _bulk_create(owner, folder):
    image = Image(
        owner=owner, title="Lagoon", original="originals/x.jpg", format="JPEG",
        width=4, height=3, file_size=9, sha256="0" * 64, thumbnail="renditions/t.jpg",
        thumbnail_width=4, thumbnail_height=3, display="renditions/d.jpg",
        display_width=4, display_height=3,
    )  # fmt: skip
    Image.objects.bulk_create([image])


def _jpeg_file(folder, name):
    path = folder / name
    path.write_bytes(noisy_jpeg((60, 40), seed=99))
    return path


ADDING_WRITES = {
    "upload page": _upload_page,
    "import_images": _import,
    "bulk_create": _bulk_create,
}


@pytest.mark.parametrize("write", ADDING_WRITES.values(), ids=list(ADDING_WRITES))
def test_a_new_image_shows_at_once(write, client_for, user, make_image, tmp_path):
    make_image(user, title="Harbour")
    anonymous = client_for(None)
    assert grid(anonymous) == (["Harbour"], "1 image")
    assert grid(anonymous, q="lagoon") == ([], "0 images")
    assert is_cached() and is_cached(q="lagoon")
    write(user, tmp_path)
    assert grid(anonymous) == (["Lagoon", "Harbour"], "2 images")
    assert grid(anonymous, q="lagoon") == (["Lagoon"], "1 image")


def test_without_the_triggers_the_cache_would_go_stale(client_for, user, make_image):
    # The tests above can fail: with no version bump, the old grid is served.
    image = make_image(user, title="Lagoon at dawn")
    anonymous = client_for(None)
    assert grid(anonymous)[0] == ["Lagoon at dawn"]
    library_version.uninstall(connection)
    Image.objects.filter(pk=image.pk).update(visibility="private")
    assert grid(anonymous)[0] == ["Lagoon at dawn"]  # stale
    caches[CACHE].clear()
    assert grid(anonymous)[0] == []


# ---------------------------------------------------------------- viewers


@pytest.mark.parametrize("owner_first", [True, False])
def test_a_grid_is_never_shown_to_another_viewer(
    client_for, user, other_user, make_image, owner_first
):
    make_image(user, title="Secret cove", visibility="private")
    make_image(user, title="Open cove")
    clients = {"owner": client_for(user), "other": client_for(other_user)}
    clients["anonymous"] = client_for(None)
    order = list(clients) if owner_first else list(reversed(clients))
    pages = {name: {} for name in order}
    for name in order:
        for params in ({}, {"q": "cove"}):
            html = clients[name].get(INDEX, params).content.decode()
            pages[name][str(params)] = html
    for params, html in pages["owner"].items():
        assert "Secret cove" in html and "Open cove" in html, params
        assert html.count("tile-check") == 2 and "Private</span>" in html
    for name in ("other", "anonymous"):
        for params, html in pages[name].items():
            assert "Secret cove" not in html and "Open cove" in html, (name, params)
            assert "tile-check" not in html and "Private</span>" not in html


def test_the_page_around_a_cached_grid_is_each_requests_own(user, make_image):
    make_image(user, title="Reef")
    first, second = (Client(enforce_csrf_checks=True) for _ in range(2))
    for client in (first, second):
        client.force_login(user)
    first.get(INDEX)
    # A message waiting for the second session (revoking a token writes no
    # image, so its grid comes from the cache).
    token, _ = token_create(user=user, name="laptop")
    csrf = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        second.get(reverse("api-tokens")).content.decode(),
    )[1]
    second.post(
        reverse("api-token-revoke", args=[token.pk]), {"csrfmiddlewaretoken": csrf}
    )
    assert is_cached(user)
    html = second.get(INDEX).content.decode()
    assert "The token “laptop” was revoked." in html
    assert "The token" not in first.get(INDEX).content.decode()
    # The bulk form's CSRF token is the second session's own: it works.
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    image = Image.objects.get()
    response = second.post(
        reverse("gallery:bulk"),
        {"action": "private", "images": [str(image.pk)], "csrfmiddlewaretoken": csrf},
    )
    assert response.status_code == 302
    assert Image.objects.get().visibility == "private"


# ---------------------------------------------------------------- the cache


def test_a_repeat_visit_reads_no_image_rows(client_for, user, bulk_images):
    bulk_images(user, [f"Kelp {n}" for n in range(60)])
    anonymous = client_for(None)
    for params in ({}, {"q": "kelp"}):
        first = anonymous.get(INDEX, params).content
        with CaptureQueriesContext(connection) as again:
            assert anonymous.get(INDEX, params).content == first
        assert [q["sql"] for q in again] == [
            f"SELECT writes, token FROM {library_version.TABLE} WHERE id = 1"
        ]


def test_the_switch_turns_the_cache_off(client_for, user, bulk_images, settings):
    bulk_images(user, ["Kelp"])
    settings.IMAGEREPO_RESULT_CACHE = False
    anonymous = client_for(None)
    for _ in range(2):
        with CaptureQueriesContext(connection) as ran:
            assert grid(anonymous) == (["Kelp"], "1 image")
        assert any("gallery_image" in q["sql"] for q in ran)
    assert not is_cached()
    settings.IMAGEREPO_RESULT_CACHE = True
    grid(anonymous)
    assert is_cached()


class BrokenCache(BaseCache):
    """A cache server that is down: every call fails."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, *args, **kwargs):
        raise ConnectionError("cache server down")

    set = add = delete = has_key = clear = get


class WriteOnlyBrokenCache(BrokenCache):
    """Reads find nothing; writes fail (a full disk, a read-only replica)."""

    def get(self, key, default=None, version=None):
        return default


@pytest.mark.parametrize("backend", [BrokenCache, WriteOnlyBrokenCache])
def test_a_failing_cache_only_costs_speed(
    client_for, user, other_user, bulk_images, settings, caplog, backend
):
    bulk_images(user, ["Kelp"])
    bulk_images(user, ["Hidden kelp"], visibility="private")
    path = f"{backend.__module__}.{backend.__qualname__}"
    settings.CACHES = {**settings.CACHES, CACHE: {"BACKEND": path}}
    for _ in range(2):
        assert grid(client_for(None), q="kelp") == (["Kelp"], "1 image")
        assert grid(client_for(user))[0] == ["Hidden kelp", "Kelp"]
        assert grid(client_for(other_user))[0] == ["Kelp"]
    assert "Result cache" in caplog.text


# ---------------------------------------------------------------- the version


def test_a_rolled_back_write_never_lends_its_version(user, bulk_images):
    before = library_version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        bulk_images(user, ["Never kept"])
        rolled_back = library_version.current()
        raise RuntimeError("rollback")
    assert library_version.current() == before != rolled_back
    bulk_images(user, ["Kept"])
    assert library_version.current() not in (before, rolled_back)


def test_a_loaded_version_row_is_replaced_by_a_new_version():
    # loaddata of another database's dump brings its version row along.
    LibraryVersion(id=1, writes=7, token=42).save_base(raw=True)
    assert library_version.current() != (7, 42)


def test_a_rebuilt_image_table_gets_its_version_triggers_back(user, bulk_images):
    # Django rebuilds a SQLite table to alter a column, dropping triggers;
    # the post-migrate check puts them back (and makes a new version).
    from io import StringIO

    from gallery.apps import repair_library_version

    library_version.uninstall(connection)
    before = library_version.current()
    bulk_images(user, ["Missed"])
    assert library_version.current() == before
    out = StringIO()
    repair_library_version(using="default", stdout=out)
    assert "Restoring the library version triggers" in out.getvalue()
    repaired = library_version.current()
    assert repaired != before
    bulk_images(user, ["Seen"])
    assert library_version.current() != repaired
    out = StringIO()
    repair_library_version(using="default", stdout=out)
    assert out.getvalue() == ""  # nothing to repair


def test_a_grid_computed_across_a_write_is_not_kept(user, bulk_images):
    # Kept, it would sit under the version before the write while holding the
    # library after it, and a backup restored to that version would get it.
    listing = Listing(Viewer(None), "all", "", "")
    before = library_version.current()

    def computed_while_an_import_commits():
        bulk_images(user, ["Arrived meanwhile"])
        return Results(html="", has_items=False, total=0, next_cursor=None, cursor="")

    results_for(listing, computed_while_an_import_commits)
    assert not caches[CACHE].has_key(cache_key(listing, before, "default"))
    assert not is_cached()


# ---------------------------------------------------------------- the index


@pytest.mark.db_vendor("sqlite")  # FTS5 keeps its own rowids
@pytest.mark.parametrize("repair", ["rebuild_search_index", "check_media --fix"])
def test_a_rebuilt_search_index_shows_at_once(
    repair, client_for, user, other_user, bulk_images
):
    # The index is not the image table: rebuilding it writes no image row,
    # so no trigger makes a new version; the rebuild makes one itself.
    from .test_search import renumber_rows_as_a_plain_dump_and_reload_does

    gone = bulk_images(user, ["Deleted long ago"])
    bulk_images(user, [("Secret diary", "")], visibility="private")
    bulk_images(other_user, ["Kayak"])
    Image.objects.filter(pk=gone[0].pk).delete()  # a gap a reload closes
    renumber_rows_as_a_plain_dump_and_reload_does()
    anonymous = client_for(None)
    assert grid(anonymous, q="secret")[0] == ["Kayak"]  # the broken index's answer
    assert is_cached(q="secret")
    call_command(*repair.split(), stdout=StringIO(), stderr=StringIO())
    assert grid(anonymous, q="secret") == ([], "0 images")
    assert grid(anonymous, q="kayak")[0] == ["Kayak"]


@pytest.mark.db_vendor("sqlite")
def test_search_triggers_put_back_after_a_migration_show_at_once(
    client_for, user, bulk_images
):
    from gallery.apps import repair_search_index

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER gallery_image_fts_insert")
    bulk_images(user, ["Missed while broken"])
    anonymous = client_for(None)
    assert grid(anonymous, q="missed") == ([], "0 images")
    assert is_cached(q="missed")
    repair_search_index(using="default", stdout=StringIO())
    assert grid(anonymous, q="missed")[0] == ["Missed while broken"]


def test_any_migration_makes_a_new_version(user, bulk_images):
    # A migration may change what a grid shows without writing an image row.
    from gallery.apps import repair_library_version

    bulk_images(user, ["Lagoon"])
    before = library_version.current()
    repair_library_version(using="default", stdout=StringIO(), plan=[])
    assert library_version.current() == before  # `migrate` with nothing to do
    plan = [(object(), False)]
    repair_library_version(using="default", stdout=StringIO(), plan=plan)
    assert library_version.current() != before


def test_a_made_up_cursor_takes_no_place_in_the_cache(client_for, user, bulk_images):
    # Each made-up cursor gets the first page: kept once, as the first page,
    # so a stream of them cannot fill a shared cache.
    bulk_images(user, ["Lagoon"])
    anonymous = client_for(None)
    assert grid(anonymous, after="made-up")[0] == ["Lagoon"]
    assert is_cached()
    assert not is_cached(after="made-up")


def test_grids_drawn_by_other_code_are_not_reused(monkeypatch):
    listing = Listing(Viewer(None), "all", "", "")
    key = cache_key(listing, (1, 1), "default")
    monkeypatch.setattr("gallery.result_cache.code_version", lambda: "a deploy")
    assert cache_key(listing, (1, 1), "default") != key


@pytest.mark.db_vendor("postgresql")
def test_a_write_with_an_empty_search_path_makes_a_new_version(make_image, user):
    # pg_dump --data-only output (psql or pg_restore) empties the search_path.
    image = make_image(user, title="Lagoon")
    before = library_version.current()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = ''")
        cursor.execute(
            "UPDATE public.gallery_image SET visibility = 'private' WHERE id = %s",
            [db_id(image)],
        )
        cursor.execute("SET LOCAL search_path = public")
    assert library_version.current() != before


@pytest.mark.db_vendor("postgresql")
def test_a_writer_in_another_schema_still_bumps_this_sites_version(
    client_for, user, make_image
):
    # Two sites in one database: the bump must land in this site's table.
    make_image(user, title="Lagoon")
    anonymous = client_for(None)
    assert grid(anonymous)[0] == ["Lagoon"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA othersite")
        cursor.execute(
            "CREATE TABLE othersite.gallery_libraryversion "
            "(id smallint PRIMARY KEY, writes bigint, token bigint)"
        )
        cursor.execute("SET LOCAL search_path = othersite, public")
        cursor.execute("UPDATE public.gallery_image SET visibility = 'private'")
        cursor.execute("SET LOCAL search_path = public")
    assert grid(anonymous)[0] == []
