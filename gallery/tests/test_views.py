import importlib
import re
from datetime import timedelta

import pytest
from django.urls import Resolver404, clear_url_caches, resolve, reverse
from django.utils import timezone

from gallery.models import Image

from .conftest import stored_bytes, stored_files
from .images import (
    MPO,
    SVG,
    TEXT,
    image_bytes,
    noisy_jpeg,
    png_with_size,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db

PAGES = ["detail", "edit", "delete"]
FILES = ["thumbnail", "display", "original"]
OWNER_ONLY = {"edit", "delete", "original"}


@pytest.fixture
def viewers(user, other_user):
    return {"owner": user, "other user": other_user, "anonymous": None}


def ids_on_gallery(client, **params):
    html = client.get(reverse("gallery:index"), params).content.decode()
    return set(re.findall(r'data-image-id="([^"]+)"', html))


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("viewer", ["owner", "other user", "anonymous"])
@pytest.mark.parametrize("view", PAGES + FILES)
def test_visibility_matrix_for_pages_and_files(
    client_for, viewers, user, make_image, viewer, visibility, view
):
    image = make_image(user, title="Secret garden", visibility=visibility)
    response = client_for(viewers[viewer]).get(
        reverse(f"gallery:{view}", args=[image.pk])
    )

    allowed = viewer == "owner" or (visibility == "public" and view not in OWNER_ONLY)
    assert response.status_code == (200 if allowed else 404)
    if view in FILES and allowed:
        assert response["Content-Type"].startswith("image/")
        assert response["X-Content-Type-Options"] == "nosniff"
        if visibility == "private":
            assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("viewer", ["owner", "other user", "anonymous"])
def test_visibility_matrix_for_gallery_and_search(
    client_for, viewers, user, make_image, viewer, visibility
):
    image = make_image(user, title="Secret garden", visibility=visibility)
    client = client_for(viewers[viewer])
    expected = {str(image.pk)} if viewer == "owner" or visibility == "public" else set()

    assert ids_on_gallery(client) == expected
    assert ids_on_gallery(client, q="garden") == expected
    mine = viewer == "owner"
    tabs = {  # signed out, every tab is the whole gallery
        "mine": mine or viewer == "anonymous",
        "public": visibility == "public",
        "private": (mine and visibility == "private") or viewer == "anonymous",
    }
    for show, shown in tabs.items():
        assert ids_on_gallery(client, show=show) == (expected if shown else set())
    body = client.get(reverse("gallery:index"), {"q": "secret"}).content.decode()
    assert ("Secret garden" in body) == bool(expected)


def test_gallery_filters_for_a_signed_in_user(client_for, user, other_user, make_image):
    mine_public = make_image(user, visibility="public")
    mine_private = make_image(user, visibility="private")
    theirs = make_image(other_user, visibility="public")
    client = client_for(user)
    as_ids = lambda *images: {str(i.pk) for i in images}  # noqa: E731
    assert ids_on_gallery(client) == as_ids(mine_public, mine_private, theirs)
    assert ids_on_gallery(client, show="mine") == as_ids(mine_public, mine_private)
    assert ids_on_gallery(client, show="public") == as_ids(mine_public, theirs)
    assert ids_on_gallery(client, show="private") == as_ids(mine_private)


# What each tab of the gallery says with nothing to show, and offers.
EMPTY_TABS = {
    "all": ("No photos here yet.", "Upload your first photos"),
    "mine": ("You have no photos yet.", "Upload your first photos"),
    "public": ("No public photos yet.", "Upload photos"),
    "private": ("You have no private photos.", "Upload photos"),
    "shared": ("Nobody has shared a photo with you yet.", "Your albums"),
}


def empty_state(client, show):
    html = client.get(reverse("gallery:index"), {"show": show}).content.decode()
    found = re.search(r'<div class="empty-state.*?</div>', html, re.S)
    return found[0] if found else None


@pytest.mark.parametrize("show", list(EMPTY_TABS))
def test_each_empty_tab_says_what_it_would_show(client_for, user, show):
    page = empty_state(client_for(user), show)
    lead, action = EMPTY_TABS[show]
    assert f'<p class="lead">{lead}</p>' in page and action in page
    if show not in ("all", "mine"):
        assert "first photos" not in page


def test_the_shared_tab_says_nobody_shared_a_photo_whatever_else_there_is(
    client_for, user, other_user, make_image
):
    from gallery.services.albums import album_create, album_share

    make_image(user, visibility="private")
    make_image(other_user, visibility="public")
    trip = album_create(owner=other_user, title="Trip")  # shared, but empty
    album_share(trip, user=other_user, username=user.username)
    client = client_for(user)
    page = empty_state(client, "shared")
    assert "Nobody has shared a photo with you yet." in page
    assert "Upload" not in page
    for show in ("all", "mine", "public", "private"):
        assert empty_state(client, show) is None


def test_gallery_pages_newest_first_with_a_cursor(client, user, make_image, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    made = [make_image(user, title=f"n{i}", visibility="public") for i in range(5)]
    newest_first = [str(i.pk) for i in reversed(made)]
    seen, url = [], reverse("gallery:index")
    while url:
        html = client.get(url).content.decode()
        seen += re.findall(r'data-image-id="([^"]+)"', html)
        more = re.search(
            r'href="(\?[^"]*after=[^"]+)" *>Older|rel="next"\s+href="([^"]+)"', html
        )
        url = (
            (reverse("gallery:index") + more.group(2).replace("&amp;", "&"))
            if more
            else None
        )
    assert seen == newest_first


def test_gallery_with_a_bad_cursor_shows_the_first_page(client, user, make_image):
    image = make_image(user, visibility="public")
    assert ids_on_gallery(client, after="not-a-cursor!") == {str(image.pk)}


def test_search_shows_the_query_escaped_and_the_count(client, user, make_image):
    make_image(user, title="Red kite", visibility="public")
    make_image(user, title="Red fox", visibility="public")
    body = client.get(reverse("gallery:index"), {"q": "red <b>"}).content.decode()
    assert "&lt;b&gt;" in body and "<b>" not in body
    body = client.get(reverse("gallery:index"), {"q": "red"}).content.decode()
    assert re.search(r'id="result-count">\s*2\s*photos', body)


def test_file_responses_serve_the_stored_bytes(client_for, user, make_image):
    data = noisy_jpeg(seed=42)
    image = make_image(user, data=data, name="exact.jpg", visibility="public")
    response = client_for(user).get(reverse("gallery:original", args=[image.pk]))
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    assert 'filename="exact.jpg"' in response["Content-Disposition"]

    thumb = client_for(None).get(reverse("gallery:thumbnail", args=[image.pk]))
    assert b"".join(thumb.streaming_content) == stored_bytes(image.thumbnail.name)
    # A rendition opened as a page of its own is sandboxed like the original,
    # and the browser's viewer may still centre it (the site's CSP forbade
    # the inline styles it adds).
    assert thumb["Content-Security-Policy"] == response["Content-Security-Policy"]


def test_unchanged_file_answers_304(client, user, make_image):
    image = make_image(user, visibility="public")
    url = reverse("gallery:thumbnail", args=[image.pk])
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_no_media_route_serves_uploads(client, user, make_image):
    image = make_image(user)
    assert client.get(f"/media/{image.original.name}").status_code == 404
    assert client.get(f"/static/../media/{image.original.name}").status_code == 404


@pytest.fixture
def urls_built_with_debug_on(settings):
    """The site's URLs as ``make run`` builds them, with DEBUG on: where a
    ``static(MEDIA_URL, ...)`` route would come alive (it is empty otherwise,
    so the test above alone could not see one)."""
    import imagerepo.urls

    settings.DEBUG = True
    importlib.reload(imagerepo.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(imagerepo.urls)
    clear_url_caches()


def test_no_media_route_serves_uploads_even_with_debug_on(
    client, user, make_image, urls_built_with_debug_on
):
    image = make_image(user, visibility="public")
    for name in image.stored_files():
        with pytest.raises(Resolver404):
            resolve(f"/media/{name}")
        assert client.get(f"/media/{name}").status_code == 404
    # The same URLs do serve the permitted views: they were rebuilt, not lost.
    assert client.get(image.thumbnail_url).status_code == 200


def test_unknown_ids_are_404(client):
    assert client.get("/images/not-a-uuid/").status_code == 404
    assert (
        client.get("/images/00000000-0000-0000-0000-000000000000/").status_code == 404
    )


def test_not_found_is_a_page_of_the_site(client, client_for, user, make_image):
    private = make_image(user, visibility="private")
    for path in (private.get_absolute_url(), "/no/such/page/"):
        response = client.get(path)
        assert response.status_code == 404
        page = response.content.decode()
        # The site's own page, with its navigation and a way back, not a bare
        # "Not Found"; signed out, a way to sign in to one's own private photos.
        assert "Nothing here" in page and 'id="nav-search"' in page
        assert f'<a href="/accounts/login/?next={path}">sign in</a> to see it' in page
    signed_in = client_for(user).get("/no/such/page/").content.decode()
    assert "Nothing here" in signed_in and "sign in</a> to see it" not in signed_in


# ---------------------------------------------------------------- upload


def post_upload(client, files, **fields):
    data = {"visibility": "public", "description": "", "title": "", **fields}
    return client.post(reverse("gallery:upload"), {**data, "images": files})


def outcomes(response):
    html = response.content.decode()
    return re.findall(r'data-outcome="(\w+)"', html)


def test_upload_requires_sign_in(client):
    response = client.get(reverse("gallery:upload"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_upload_one_file_with_a_title(client_for, user):
    response = post_upload(
        client_for(user),
        [upload("x.jpg", noisy_jpeg())],
        title="Given title",
        description="Some words",
        visibility="private",
    )
    assert outcomes(response) == ["created"]
    image = Image.objects.get()
    assert (image.title, image.description, image.visibility) == (
        "Given title",
        "Some words",
        "private",
    )
    assert image.owner == user


@pytest.mark.parametrize("visibility", ["private", "public"])
def test_upload_result_page_keeps_the_chosen_visibility(client_for, user, visibility):
    files = [upload(f"{i}.jpg", noisy_jpeg(seed=i)) for i in range(2)]
    response = post_upload(client_for(user), files, visibility=visibility)
    assert outcomes(response) == ["created"] * 2
    radios = re.findall(
        r'<input[^>]*name="visibility"[^>]*>', response.content.decode()
    )
    checked = [
        re.search(r'value="(\w+)"', tag)[1] for tag in radios if " checked" in tag
    ]
    # The next batch goes where this one went unless the person says otherwise.
    assert checked == [visibility]


def test_upload_page_asks_who_may_see_them_before_any_file_is_chosen(client_for, user):
    # The uploader sends files as soon as they are chosen: on a phone the
    # visibility sat below the pickers, out of sight, so photos went up
    # public before a person could make them private.
    page = client_for(user).get(reverse("gallery:upload")).content.decode()
    visibility = page.index('name="visibility"')
    assert visibility < page.index('id="pick-files"')
    assert visibility < page.index('id="pick-folder"')
    assert visibility < page.index('type="file" name="images"')


def test_upload_page_takes_an_mpo_photo_as_a_jpeg(client_for, user):
    client = client_for(user)
    response = post_upload(client, [upload("IMG_0001.JPG", MPO)])
    assert outcomes(response) == ["created"]
    image = Image.objects.get()
    original = client.get(reverse("gallery:original", args=[image.pk]))
    assert original["Content-Type"] == "image/jpeg"
    assert b"".join(original.streaming_content) == MPO
    assert client.get(image.thumbnail_url)["Content-Type"] == "image/jpeg"


def test_the_uploader_refuses_a_too_large_file_in_the_servers_words(
    client_for, user, settings
):
    settings.IMAGEREPO_MAX_UPLOAD_BYTES = 3 * 1024 * 1024
    page = client_for(user).get(reverse("gallery:upload")).content.decode()
    # The browser refuses such a file unsent, with the words the server uses.
    assert 'data-too-large="The file is larger than the 3.0\xa0MB limit."' in page
    response = post_upload(
        client_for(user), [upload("big.jpg", b"x" * (3 * 1024 * 1024 + 1))]
    )
    assert "The file is larger than the 3.0\xa0MB limit." in response.content.decode()


def test_upload_several_files_uses_their_names_as_titles(client_for, user):
    files = [upload(f"pic {i}.jpg", noisy_jpeg(seed=i)) for i in range(3)]
    response = post_upload(client_for(user), files)
    assert outcomes(response) == ["created"] * 3
    assert sorted(Image.objects.values_list("title", flat=True)) == [
        "pic 0",
        "pic 1",
        "pic 2",
    ]


def test_a_title_given_goes_to_every_file_as_the_uploader_sends_it(client_for, user):
    # Without JavaScript the form sends the files together; the uploader
    # sends them one by one with the same fields. Both title every file so.
    files = [upload(f"pic {i}.jpg", noisy_jpeg(seed=i)) for i in range(2)]
    response = post_upload(client_for(user), files, title="Rome", description="Trip")
    assert outcomes(response) == ["created"] * 2
    assert list(Image.objects.values_list("title", "description")) == [
        ("Rome", "Trip"),
        ("Rome", "Trip"),
    ]


def test_upload_mix_of_good_and_bad_files(client_for, user):
    good = [
        upload("good1.jpg", noisy_jpeg(seed=1)),
        upload("good2.png", image_bytes("PNG")),
    ]
    bad = [
        upload("notes.jpg", TEXT),
        upload("cut.jpg", truncated_jpeg()),
        upload("empty.jpg", b""),
        upload("bomb.png", png_with_size(50_000, 50_000), "image/png"),
        upload("x.svg", SVG, "image/svg+xml"),
    ]
    response = post_upload(client_for(user), [good[0], *bad, good[1]])

    assert response.status_code == 200
    assert outcomes(response) == ["created"] + ["rejected"] * 5 + ["created"]
    body = response.content.decode()
    assert "not an image" in body and "too many pixels" in body and "SVG" in body
    assert Image.objects.count() == 2
    assert len(stored_files()) == 2 * 3


@pytest.mark.parametrize(("fmt", "name"), [("HEIF", "IMG_1.HEIC"), ("AVIF", "a.avif")])
def test_upload_form_takes_phone_photos(client_for, user, fmt, name):
    data = image_bytes(fmt, (200, 150))
    response = post_upload(client_for(user), [upload(name, data, "image/heic")])
    assert outcomes(response) == ["created"]
    image = Image.objects.get()
    assert image.format == fmt
    assert client_for(user).get(image.thumbnail_url)["Content-Type"] == "image/jpeg"


def test_upload_duplicate_links_to_the_existing_image(client_for, user):
    data = noisy_jpeg(seed=3)
    post_upload(client_for(user), [upload("a.jpg", data)])
    response = post_upload(client_for(user), [upload("again.jpg", data)])
    assert outcomes(response) == ["duplicate"]
    assert Image.objects.get().get_absolute_url() in response.content.decode()


def test_upload_duplicate_asked_private_makes_the_image_private(client_for, user):
    data = noisy_jpeg(seed=3)
    post_upload(client_for(user), [upload("a.jpg", data)], visibility="public")
    response = post_upload(
        client_for(user), [upload("again.jpg", data)], visibility="private"
    )
    assert outcomes(response) == ["duplicate"]
    assert "it is now private" in response.content.decode()
    assert Image.objects.get().visibility == "private"
    response = post_upload(
        client_for(user), [upload("again.jpg", data)], visibility="public"
    )
    assert "it stays private" in response.content.decode()
    assert Image.objects.get().visibility == "private"


def test_upload_too_many_files_refuses_every_one(client_for, user, settings):
    settings.IMAGEREPO_MAX_FILES_PER_REQUEST = 2
    files = [upload(f"{i}.jpg", noisy_jpeg(seed=i)) for i in range(3)]
    response = post_upload(client_for(user), files)
    assert outcomes(response) == ["rejected"] * 3
    assert "You sent 3 files; at most 2" in response.content.decode()
    assert Image.objects.count() == 0


def test_the_plain_upload_form_asks_for_photos(client_for, user):
    page = client_for(user).get(reverse("gallery:upload")).content.decode()
    assert re.search(
        r'for="id_images" class="form-label requiredField">\s*Photos<', page
    )
    assert "Choose one or more photos (JPEG, PNG, GIF, WebP and more)." in page
    assert "Blank: each photo is titled after its file name." in page


def test_upload_without_files_is_a_form_error(client_for, user):
    response = post_upload(client_for(user), [])
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


# ---------------------------------------------------------------- edit and delete


def test_owner_edits_an_image(client_for, user, make_image):
    image = make_image(user, title="Old")
    response = client_for(user).post(
        reverse("gallery:edit", args=[image.pk]),
        {"title": "New", "description": "Now described", "visibility": "private"},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.title, image.description, image.visibility) == (
        "New",
        "Now described",
        "private",
    )


def test_deleting_an_image_moves_it_and_its_files_to_the_trash(
    client_for, user, make_image, django_capture_on_commit_callbacks
):
    image = make_image(user)
    files = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(reverse("gallery:delete", args=[image.pk]))
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.in_trash
    assert stored_files() == files


@pytest.mark.parametrize("view", ["edit", "delete"])
def test_others_cannot_change_an_image(client_for, user, other_user, make_image, view):
    image = make_image(user, title="Keep")
    response = client_for(other_user).post(
        reverse(f"gallery:{view}", args=[image.pk]),
        {"title": "Hacked", "description": "", "visibility": "public"},
    )
    assert response.status_code == 404
    image.refresh_from_db()
    assert image.title == "Keep"


# ---------------------------------------------------------------- bulk actions


def bulk(client, action, images, **fields):
    data = {"action": action, "images": [str(i.pk) for i in images], **fields}
    return client.post(reverse("gallery:bulk"), data)


@pytest.mark.parametrize("visibility", ["private", "public"])
def test_bulk_visibility_changes_only_the_chosen_images(
    client_for, user, make_image, visibility
):
    other = "public" if visibility == "private" else "private"
    chosen = [make_image(user, visibility=other) for _ in range(2)]
    left = make_image(user, visibility=other)
    response = bulk(client_for(user), visibility, chosen, next="/?show=mine")
    assert response.status_code == 302 and response["Location"] == "/?show=mine"
    assert set(Image.objects.filter(visibility=visibility)) == set(chosen)
    left.refresh_from_db()
    assert left.visibility == other


def test_bulk_visibility_change_updates_the_change_time(client_for, user, make_image):
    chosen = [make_image(user, visibility="public") for _ in range(2)]
    long_ago = timezone.now() - timedelta(days=30)
    Image.objects.update(updated_at=long_ago)
    bulk(client_for(user), "private", chosen)
    for image in chosen:
        image.refresh_from_db()
        assert image.visibility == "private" and image.updated_at > long_ago


def test_bulk_delete_asks_first_then_moves_them_to_the_trash(
    client_for, user, make_image, media_root, django_capture_on_commit_callbacks
):
    chosen = [make_image(user) for _ in range(2)]
    kept = make_image(user)
    client = client_for(user)
    response = bulk(client, "delete", chosen)
    assert response.status_code == 200
    assert "Move 2 photos to the trash?" in response.content.decode()
    assert "They stay in your" in response.content.decode()
    assert Image.objects.live().count() == 3
    one = bulk(client, "delete", chosen[:1]).content.decode()
    assert "Move 1 photo to the trash?" in one and "It stays in your" in one

    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(client, "delete", chosen, confirmed="1")
    assert response.status_code == 302
    assert list(Image.objects.live()) == [kept]
    assert set(Image.objects.trash_of(user)) == set(chosen)
    assert len(stored_files()) == 9


@pytest.mark.parametrize("action", ["private", "delete"])
def test_bulk_refuses_other_peoples_images_and_changes_nothing(
    client_for, user, other_user, make_image, action
):
    mine = make_image(user, visibility="public")
    theirs = make_image(other_user, visibility="public")
    response = bulk(client_for(user), action, [mine, theirs], confirmed="1")
    assert response.status_code == 302
    assert Image.objects.public().count() == 2
    follow = client_for(user).get(response["Location"])
    assert follow.status_code == 200


def test_bulk_with_bad_input_redirects_with_a_message(client_for, user):
    client = client_for(user)
    for data in (
        {"action": "private"},
        {"action": "explode", "images": ["x"]},
        {"action": "private", "images": ["not-a-uuid"]},
    ):
        response = client.post(reverse("gallery:bulk"), data, follow=True)
        assert response.status_code == 200
        assert 'class="alert alert-danger"' in response.content.decode()


def alerts(response):
    return re.findall(
        r'class="alert alert-\w+" role="status">(.*?)</div>', response.content.decode()
    )


def test_bulk_messages_count_photos(client_for, user, other_user, make_image):
    client = client_for(user)
    two = [make_image(user, visibility="public") for _ in range(2)]
    made_private = bulk(client, "private", two)
    assert alerts(client.get(made_private["Location"])) == ["2 photos made private."]
    made_public = bulk(client, "public", two[:1])
    assert alerts(client.get(made_public["Location"])) == ["1 photo made public."]
    none_chosen = client.post(reverse("gallery:bulk"), {"action": "private"})
    assert alerts(client.get(none_chosen["Location"])) == [
        "Select at least one photo first."
    ]
    theirs = bulk(client, "private", [two[0], make_image(other_user)])
    assert alerts(client.get(theirs["Location"])) == [
        "Some of the selected photos are not yours or are gone; nothing was changed."
    ]


def test_bulk_ignores_an_offsite_next(client_for, user, make_image):
    response = bulk(
        client_for(user), "private", [make_image(user)], next="https://evil.example/"
    )
    assert response["Location"] == reverse("gallery:index")


def test_bulk_needs_sign_in(client, user, make_image):
    image = make_image(user, visibility="public")
    response = bulk(client, "private", [image])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    image.refresh_from_db()
    assert image.visibility == "public"


# ---------------------------------------------------------------- gallery and detail


def test_only_your_own_tiles_can_be_selected(client_for, user, other_user, make_image):
    mine = make_image(user, visibility="public")
    theirs = make_image(other_user, visibility="public")
    html = client_for(user).get(reverse("gallery:index")).content.decode()
    selectable = set(re.findall(r'name="images" value="([^"]+)"', html))
    assert selectable == {str(mine.pk)}
    assert str(theirs.pk) in html
    assert 'id="bulk-form"' in html


def test_tiles_draw_thumbnails_only_and_say_what_they_show(client, user, make_image):
    # A phone would otherwise fetch display renditions for its small tiles;
    # the lightbox takes the display rendition from the link instead.
    image = make_image(user, title="Harbour at dawn", visibility="public")
    html = client.get(reverse("gallery:index")).content.decode()
    assert f'srcset="{image.thumbnail_url} {image.thumbnail_width}w"' in html
    assert f'data-display-url="{image.display_url}"' in html
    assert html.count(image.display_url) == 1
    assert 'alt="Harbour at dawn"' in html and 'loading="lazy"' in html


def test_detail_links_its_neighbours_among_visible_images(
    client_for, user, other_user, make_image
):
    oldest = make_image(user, visibility="public")
    hidden = make_image(other_user, visibility="private")
    middle = make_image(user, visibility="public")
    newest = make_image(other_user, visibility="public")
    html = client_for(user).get(middle.get_absolute_url()).content.decode()
    assert f'id="detail-newer" href="{newest.get_absolute_url()}"' in html
    assert f'id="detail-older" href="{oldest.get_absolute_url()}"' in html
    assert str(hidden.pk) not in html


@pytest.mark.parametrize(
    "visibility, offered", [("public", "private"), ("private", "public")]
)
def test_detail_offers_the_owner_the_other_visibility(
    client_for, user, other_user, make_image, visibility, offered
):
    image = make_image(user, visibility=visibility)
    html = client_for(user).get(image.get_absolute_url()).content.decode()
    assert f'name="action" value="{offered}"' in html
    assert (">Private</span>" in html) == (visibility == "private")
    if visibility == "public":
        other = client_for(other_user).get(image.get_absolute_url()).content.decode()
        assert 'name="action"' not in other
