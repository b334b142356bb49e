"""Search: what people type, what they find, and in what order."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from gallery.importing.pipeline import import_images
from gallery.models import Image
from gallery.search import ranked_page, search_index_in_step
from gallery.services.images import image_purge, image_update

from .images import noisy_jpeg

pytestmark = pytest.mark.django_db


def titles(queryset):
    return sorted(image.title for image in queryset)


def search(query, user=None):
    return titles(Image.objects.visible_to(user).search(query))


@pytest.fixture
def library(user, bulk_images):
    return bulk_images(
        user,
        [
            ("Sunset over the harbour", "Boats coming home"),
            ("Harbour at noon", "A red sunset later"),
            ("Café de Flore", "Paris, an espresso"),
            ("Ox cart", "A farm in 3D"),
            ("Beach sunset", "Warm evening on the beach"),
            ("Sunset on the beach", "Cold morning"),
        ],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("beach", ["2022/beach/photo_074"]),
        ("photo", ["2022/beach/photo_074"]),
        ("photo_074", ["2022/beach/photo_074"]),
        ("2022 beach", ["2022/beach/photo_074"]),
        ("kite", ["kite.jpg"]),
        ("jpg", ["kite.jpg"]),
        ("example", ["Mail from grandma"]),
        ("grandma example org", ["Mail from grandma"]),
        ("www", ["Mail from grandma"]),
        ("v2", ["Mail from grandma"]),
        ("sunset", ["<script>Sunset"]),
        ("0042", ["DSC-0042"]),
        ("dsc-0042", ["DSC-0042"]),
        ("12", ["2020-12-25 party"]),
        ("2020-12-25", ["2020-12-25 party"]),
        ("33", ["+33 phone"]),
        ("saint-malo", ["Saint-Malo at dusk"]),
        ("malo", ["Saint-Malo at dusk"]),
        ("bee", ["ant~bee"]),
    ],
)
def test_words_in_paths_file_names_and_addresses_are_found(
    user, bulk_images, query, expected
):
    # Titles as import_images --title-from path makes them, file names, and
    # addresses: every word in them is found, on every database.
    bulk_images(
        user,
        [
            ("2022/beach/photo_074", ""),
            ("kite.jpg", ""),
            ("Mail from grandma", "grandma@example.org, see www.example.org/v2"),
            ("<script>Sunset", ""),
            ("DSC-0042", ""),
            ("2020-12-25 party", ""),
            ("+33 phone", ""),
            ("Saint-Malo at dusk", ""),
            ("ant~bee", ""),
        ],
    )
    assert search(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "sun",
            [
                "Beach sunset",
                "Harbour at noon",
                "Sunset on the beach",
                "Sunset over the harbour",
            ],
        ),
        ("harbour sun", ["Harbour at noon", "Sunset over the harbour"]),
        ("sun beach", []),  # only the last word is a prefix
        ("cafe", ["Café de Flore"]),
        ("CAFÉ", ["Café de Flore"]),
        ("ox", ["Ox cart"]),
        ("3d", ["Ox cart"]),
        ("a farm", ["Ox cart"]),
        ('"beach sunset"', ["Beach sunset"]),
        ('"sunset beach"', []),
        ('"sunset on the"', ["Sunset on the beach"]),
        ("harbour noon boats", []),
        ("zzz", []),
    ],
)
def test_search_finds_what_people_mean(library, query, expected):
    assert search(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "!!!",
        '"',
        '""',
        "*",
        "^",
        "-",
        ":",
        "(",
        ")",
        "'",
        "%",
        "_",
        "{title}:",
        "NEAR(",
        "AND",
        "OR NOT",
        'sun" OR "x',
        "title:sun",
        "sun*",
        "-sun",
        "+sun",
        "sun)",
        "\x00",
        "日本",
        "\\",
        "'; DROP TABLE gallery_image; --",
    ],
)
def test_any_query_is_answered_not_an_error(client, library, query):
    response = client.get(reverse("gallery:index"), {"q": query})
    assert response.status_code == 200


def test_operators_typed_by_a_person_are_plain_words(library):
    assert search("sunset OR cafe") == []
    assert search("sun*") == search("sun")
    assert search("title:sunset") == []  # no column called "title" in the words


def test_symbols_only_match_nothing_and_say_so(client, library):
    body = client.get(reverse("gallery:index"), {"q": "?!*"}).content.decode()
    assert "data-image-id" not in body
    assert "type some letters or digits" in body


def test_a_long_query_is_shortened_where_the_page_repeats_it(client, library):
    query = "lighthouse " * 200
    body = client.get(reverse("gallery:index"), {"q": query}).content.decode()
    assert body.count(query.strip()) == 1  # in the search box, to change
    assert re.search(r"No photos match “(lighthouse )+\w*…”", body)


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_blank_query_shows_the_gallery(client, library, query):
    body = client.get(reverse("gallery:index"), {"q": query}).content.decode()
    assert len(re.findall(r"data-image-id=", body)) == len(library)
    assert "Results for" not in body


def test_title_matches_rank_above_description_matches(user, bulk_images):
    # The description match is newer, so only ranking can put it second.
    bulk_images(user, [("Kite", ""), ("Field", "a kite"), ("Hill", "kite, kite")])
    page = ranked_page(Image.objects.all(), "kite", None, 10)
    assert [i.title for i in page.items] == ["Kite", "Hill", "Field"]


def test_ranked_pages_walk_every_match_once_in_order(user, bulk_images):
    bulk_images(
        user, [(f"Kite {n}", "") if n % 3 == 0 else (f"T{n}", "kite") for n in range(9)]
    )
    seen, cursor = [], None
    while True:
        page = ranked_page(Image.objects.all(), "kite", cursor, 2)
        seen += [image.title for image in page.items]
        if not (cursor := page.next_cursor):
            break
    assert seen == ["Kite 6", "Kite 3", "Kite 0", "T8", "T7", "T5", "T4", "T2", "T1"]


def test_search_results_page_through_the_view(client, user, bulk_images, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    bulk_images(user, [f"Kite {n}" for n in range(5)])
    url, found = reverse("gallery:index") + "?q=kite", []
    while url:
        html = client.get(url).content.decode()
        found += re.findall(r'data-image-id="([^"]+)"', html)
        more = re.search(r'rel="next"\s+href="([^"]+)"', html)
        url = (
            reverse("gallery:index") + more.group(1).replace("&amp;", "&")
            if more
            else None
        )
    assert len(found) == len(set(found)) == 5


def test_a_bad_search_cursor_shows_the_first_page(client, library):
    for cursor in ["garbage", "WzEsImEiXQ", "WzAsIngiXQ", "WzUsMV0"]:
        response = client.get(reverse("gallery:index"), {"q": "sun", "after": cursor})
        assert response.status_code == 200
        assert b"data-image-id" in response.content


def test_matched_words_are_marked_and_markup_is_escaped(client, user, bulk_images):
    bulk_images(user, [("<script>alert(1)</script> Sunset", "<b>sunny</b> day")])
    body = client.get(reverse("gallery:index"), {"q": "sun"}).content.decode()
    assert "<mark>Sunset</mark>" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body
    # The title lacks "day": the description line shows where it matched.
    body = client.get(reverse("gallery:index"), {"q": "sunset day"}).content.decode()
    assert "&lt;b&gt;sunny&lt;/b&gt; <mark>day</mark>" in body
    assert "<b>sunny" not in body


def test_only_the_word_being_typed_marks_beginnings(client, user, bulk_images):
    bulk_images(user, [("Sun over sunset beaches", "")])
    body = client.get(reverse("gallery:index"), {"q": "sun beach"}).content.decode()
    assert "<mark>Sun</mark> over sunset <mark>beaches</mark>" in body


def test_description_line_only_when_the_title_lacks_a_word(client, user, bulk_images):
    bulk_images(user, [("Beach", "golden sand"), ("Harbour", "a beach nearby")])
    body = client.get(reverse("gallery:index"), {"q": "beach"}).content.decode()
    assert body.count('class="tile-excerpt"') == 1
    assert "a <mark>beach</mark> nearby" in body


def test_a_description_line_is_cut_between_words(client, user, bulk_images):
    words = "sandcastles with the grandchildren at Whitby on a lovely afternoon"
    text = f"{words} in summer, {words} and {words} again"
    bulk_images(user, [("Beach", text)])
    body = client.get(reverse("gallery:index"), {"q": "summer"}).content.decode()
    line = re.search(r'class="tile-excerpt">([^<]*<mark>[^<]*</mark>[^<]*)<', body)[1]
    assert line.startswith("…") and line.endswith("…")
    kept = line.strip("…").replace("<mark>", "").replace("</mark>", "")
    assert f" {kept} " in f" {text} "  # whole words


def test_accented_words_are_marked_from_plain_queries(client, library):
    body = client.get(reverse("gallery:index"), {"q": "cafe"}).content.decode()
    assert "<mark>Café</mark>" in body


# ---------------------------------------------------------------- staying in sync


def test_found_right_after_upload_edit_and_not_after_delete(user, make_image):
    image = make_image(
        user, title="Lighthouse", description="Stormy", visibility="public"
    )
    assert search("lighthouse") == ["Lighthouse"]
    image_update(image, title="Windmill", description="Calm")
    assert search("lighthouse") == [] and search("stormy") == []
    assert search("windmill calm") == ["Windmill"]
    image_purge(image)
    assert search("windmill") == []


def ranked(query):
    page = ranked_page(Image.objects.visible_to(None), query, None, 10)
    return [image.title for image in page.items]


def test_title_matches_rank_first_after_edits_and_deletes(user, make_image):
    # Titles have an index of their own on SQLite: the triggers keep it too.
    image = make_image(user, title="Lighthouse", visibility="public")
    make_image(user, title="Pier", description="A lighthouse", visibility="public")
    assert ranked("lighthouse") == ["Lighthouse", "Pier"]
    image_update(image, title="Windmill")
    assert ranked("lighthouse") == ["Pier"] and ranked("windmill") == ["Windmill"]
    image_update(image, description="Where the lighthouse stood")
    assert ranked("lighthouse") == ["Pier", "Windmill"]
    image_purge(image)
    assert ranked("windmill") == [] and search_index_in_step()


@pytest.mark.parametrize(
    "url",
    [
        "/?show=shared&q=beach",
        "/?show=shared&q=beach+2019",
        "/api/v1/images/?visibility=private&q=beach",
    ],
)
def test_searching_a_view_that_holds_nothing_says_so(client_for, user, make_image, url):
    # Nothing is shared with this user, and a visitor has no private photos:
    # the listing cannot match.
    make_image(user, title="Beach", visibility="public")
    response = client_for(None if url.startswith("/api/") else user).get(url)
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert response.json()["results"] == []
    else:
        assert "No photos here match" in response.content.decode()


def test_found_right_after_import(tmp_path, user):
    (tmp_path / "import").mkdir()
    (tmp_path / "import" / "glacier.jpg").write_bytes(noisy_jpeg(seed=7))
    list(
        import_images(
            [tmp_path / "import"],
            owner=user,
            description="Blue ice",
            visibility="public",
        )
    )
    assert search("blue ice") == ["glacier"]


def test_bulk_created_and_bulk_updated_rows_are_indexed(user, bulk_images):
    bulk_images(user, [("Canyon", "dry"), ("Valley", "green")])
    assert search("canyon") == ["Canyon"]
    Image.objects.filter(title="Valley").update(description="green and dry")
    assert search("dry") == ["Canyon", "Valley"]
    Image.objects.filter(title="Canyon").delete()
    assert search("dry") == ["Valley"]


def test_admin_edits_are_indexed(client_for, staff_user, user, make_image):
    image = make_image(user, title="Dune", visibility="public")
    url = reverse("admin:gallery_image_change", args=[image.pk])
    form = client_for(staff_user).get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value()}
    data.update(title="Oasis", description="palm trees")
    response = client_for(staff_user).post(url, data)
    assert response.status_code == 302, getattr(response, "context", None)
    assert search("oasis palm") == ["Oasis"] and search("dune") == []


# ---------------------------------------------------------------- who sees what


@pytest.mark.parametrize("viewer", ["owner", "other user", "anonymous"])
def test_search_never_shows_someone_elses_private_image(
    client_for, user, other_user, bulk_images, viewer
):
    bulk_images(user, ["Secret garden"], visibility="private")
    bulk_images(other_user, ["Public garden"])
    signed_in = {"owner": user, "other user": other_user, "anonymous": None}[viewer]
    client = client_for(signed_in)
    expected = {"Public garden"} | ({"Secret garden"} if viewer == "owner" else set())
    for show in ["all", "mine", "public", "private"]:
        html = client.get(reverse("gallery:index"), {"q": "garden", "show": show})
        shown = set(re.findall(r'alt="([^"]+)"', html.content.decode()))
        assert shown <= expected
    html = client.get(reverse("gallery:index"), {"q": "garden"}).content.decode()
    assert set(re.findall(r'alt="([^"]+)"', html)) == expected
    count = re.search(r'id="result-count">\s*(\d+)\s*photo', html).group(1)
    assert int(count) == len(expected)


# ---------------------------------------------------------------- recovery


def test_rebuild_search_index_command(user, bulk_images, capsys):
    bulk_images(user, ["Aurora", "Comet"])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in ("gallery_image_fts", "gallery_image_title_fts"):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
        assert search("aurora") == []
    call_command("rebuild_search_index", "--dry-run")
    assert "Would rebuild the search index for 2 images." in capsys.readouterr().out
    call_command("rebuild_search_index")
    assert "Search index rebuilt: 2 images." in capsys.readouterr().out
    assert search("aurora") == ["Aurora"]


def renumber_rows_as_a_plain_dump_and_reload_does():
    """``sqlite3 db .dump | sqlite3 restored`` inserts gallery_image's rows
    without their rowids, so they are numbered afresh, gaps closed; the
    index's shadow tables come back as they were."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM gallery_image ORDER BY rowid")
        for new, (old,) in enumerate(cursor.fetchall(), start=1):
            cursor.execute(
                "UPDATE gallery_image SET rowid = %s WHERE rowid = %s", [new, old]
            )


@pytest.mark.db_vendor("sqlite")  # FTS5 keeps its own rowids
def test_restore_by_plain_dump_is_detected_and_rebuilt_before_private_words_leak(
    user, other_user, bulk_images
):
    from gallery.management.commands.rebuild_search_index import Command

    def check():
        out, command = StringIO(), Command()
        call_command(command, "--check", stdout=out)
        return command.exit_status, out.getvalue()

    gone = bulk_images(user, ["Deleted long ago"])
    bulk_images(user, [("Secret diary", "")], visibility="private")
    bulk_images(other_user, ["Kayak"])
    Image.objects.filter(pk=gone[0].pk).delete()
    assert check() == (0, "Search index is in step with the images.\n")
    renumber_rows_as_a_plain_dump_and_reload_does()
    # What the check is for: a private image's words now find a public one.
    assert search("secret") == ["Kayak"]
    status, out = check()
    assert status == 1 and "out of step" in out
    call_command("rebuild_search_index", stdout=StringIO())
    assert check()[0] == 0
    assert search("secret") == [] and search("secret", user) == ["Secret diary"]
    assert search("kayak") == ["Kayak"]


def test_rebuild_search_index_unknown_database():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No database named 'nope'") as refused:
        call_command("rebuild_search_index", "--database", "nope")
    assert refused.value.returncode == 2  # not 1, "--check: out of step"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_a_rebuilt_image_table_gets_its_search_triggers_back(user, bulk_images):
    # Django rebuilds a SQLite table to alter a column: its triggers are gone
    # and rows renumbered. The post-migrate check restores and re-reads.
    from io import StringIO

    from gallery.apps import repair_search_index

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER gallery_image_fts_insert")
    bulk_images(user, ["Missed while broken"])
    assert search("missed") == []
    out = StringIO()
    repair_search_index(using="default", stdout=out)
    assert "Rebuilding the search index" in out.getvalue()
    assert search("missed") == ["Missed while broken"]
    bulk_images(user, ["Added after"])
    assert search("added") == ["Added after"]
    out = StringIO()
    repair_search_index(using="default", stdout=out)
    assert out.getvalue() == ""  # nothing to repair: no rebuild


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_triggers_that_keep_the_first_index_alone_are_made_again(user, make_image):
    # As a database taken back to before the titles' index has them.
    from gallery.apps import repair_search_index

    image = make_image(user, title="Lighthouse", visibility="public")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER gallery_image_fts_update")
        cursor.execute(
            "CREATE TRIGGER gallery_image_fts_update AFTER UPDATE OF title, "
            "description ON gallery_image BEGIN "
            "INSERT INTO gallery_image_fts(gallery_image_fts, rowid, title, "
            "description) VALUES ('delete', old.rowid, old.title, old.description);"
            "INSERT INTO gallery_image_fts(rowid, title, description) "
            "VALUES (new.rowid, new.title, new.description); END"
        )
    repair_search_index(using="default", stdout=StringIO())
    image_update(image, title="Windmill")
    assert ranked("windmill") == ["Windmill"] and ranked("lighthouse") == []
    assert search_index_in_step()


def test_a_tab_with_no_match_offers_the_search_in_every_photo(
    client_for, user, make_image
):
    make_image(user, title="Beach", visibility="public")
    page = client_for(user).get("/", {"show": "private", "q": "beach"}).content.decode()
    assert "No photos here match “beach”." in page
    link = re.search(r'<a href="\?([^"]*)" id="search-all">', page)[1]
    assert link == "q=beach"
    found = client_for(user).get(f"/?{link}").content.decode()
    assert 'alt="Beach"' in found
