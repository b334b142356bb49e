"""Browsing at scale: stable grids, cacheable thumbnails, cheap pages."""

import re

import pytest
from django.urls import reverse

from gallery.services.images import images_set_visibility

from .images import noisy_jpeg

pytestmark = pytest.mark.django_db

IMG = re.compile(r"<img\b[^>]*\bsrc=[^>]*>", re.S)


@pytest.mark.parametrize("page", ["gallery", "search", "detail", "edit", "delete"])
def test_every_image_is_lazy_with_its_size(client_for, user, make_image, page):
    image = make_image(user, title="Tidal pool")
    url = {
        "gallery": reverse("gallery:index"),
        "search": reverse("gallery:index") + "?q=tidal",
        "detail": image.get_absolute_url(),
        "edit": reverse("gallery:edit", args=[image.pk]),
        "delete": reverse("gallery:delete", args=[image.pk]),
    }[page]
    tags = IMG.findall(client_for(user).get(url).content.decode())
    assert tags
    for tag in tags:
        assert 'loading="lazy"' in tag, tag
        assert re.search(r'width="\d+"', tag) and re.search(r'height="\d+"', tag), tag


@pytest.mark.parametrize(
    ("size", "shape", "sizes"),
    [
        ((96, 64), "ar-1507", ("36vw", "276px", "345px")),
        ((500, 100), "ar-5003", ("100vw", "920px", "1150px")),
        ((64, 96), "ar-664", ("16vw", "123px", "153px")),
    ],
    ids=["landscape", "5:1 panorama", "portrait"],
)
def test_a_tile_keeps_its_photos_shape_and_asks_for_the_width_it_is_drawn(
    client, user, make_image, size, shape, sizes
):
    # A tile is its photo's ratio times the row height wide (a fifth of a
    # phone's width, 160 or 200 px), grown a little to fill its row.
    make_image(user, data=noisy_jpeg(size), visibility="public")
    html = client.get(reverse("gallery:index")).content.decode()
    assert f'<li class="tile {shape}"' in html
    [tag] = IMG.findall(html)
    phone, tablet, wider = sizes
    sizes = f"(max-width: 575.98px) {phone}, (max-width: 991.98px) {tablet}, {wider}"
    assert f'sizes="{sizes}"' in tag


def test_public_thumbnails_are_kept_long_under_their_versioned_url(
    client, user, make_image
):
    image = make_image(user, visibility="public")
    versioned = client.get(image.thumbnail_url)
    assert "?v=" in image.thumbnail_url and versioned.status_code == 200
    policy = versioned["Cache-Control"]
    assert "max-age=31536000" in policy and "immutable" in policy
    assert "s-maxage=0" in policy  # shared caches still ask us every time
    assert versioned["ETag"]
    plain = client.get(reverse("gallery:thumbnail", args=[image.pk]))
    assert "immutable" not in plain["Cache-Control"]
    stale = client.get(reverse("gallery:thumbnail", args=[image.pk]) + "?v=old")
    assert "immutable" not in stale["Cache-Control"]


def test_file_versions_and_etags_do_not_reveal_the_uploaded_files_hash(
    client, user, other_user, make_image
):
    data = noisy_jpeg(seed=77)
    mine, theirs = (
        make_image(user, data=data, visibility="public"),
        make_image(other_user, data=data, visibility="public"),
    )
    response = client.get(mine.thumbnail_url)
    for text in (mine.thumbnail_url, mine.display_url, response["ETag"]):
        assert mine.sha256[:8] not in text
    # Even the same bytes give another image another version.
    assert mine.rendition_version != theirs.rendition_version
    assert response["ETag"] != client.get(theirs.thumbnail_url)["ETag"]
    # The version still changes with the visibility (browsers keep old URLs).
    public_version = mine.rendition_version
    mine.visibility = "private"
    assert mine.rendition_version != public_version


def test_switch_to_private_changes_the_url_and_closes_the_old_one(
    client_for, user, other_user, make_image
):
    image = make_image(user, visibility="public")
    public_url = image.thumbnail_url
    assert client_for(other_user).get(public_url).status_code == 200
    images_set_visibility(type(image).objects.filter(pk=image.pk), "private")
    image.refresh_from_db()
    assert image.thumbnail_url != public_url
    assert client_for(other_user).get(public_url).status_code == 404
    owner_copy = client_for(user).get(image.thumbnail_url)
    assert owner_copy["Cache-Control"] == "private, no-cache"
    assert (
        public_url
        not in client_for(user).get(reverse("gallery:index")).content.decode()
    )


def test_counts_stop_at_the_cap(client, user, bulk_images, settings):
    settings.IMAGEREPO_RESULT_COUNT_CAP = 3
    bulk_images(user, [f"Reef {n}" for n in range(5)])
    for params in ({}, {"q": "reef"}):
        body = client.get(reverse("gallery:index"), params).content.decode()
        assert re.search(r'id="result-count">\s*3\+\s*photos', body), params
    settings.IMAGEREPO_RESULT_COUNT_CAP = 10
    body = client.get(reverse("gallery:index"), {"q": "reef"}).content.decode()
    assert re.search(r'id="result-count">\s*5\s*photos', body)


def test_the_lightbox_is_told_the_count_when_it_is_exact_and_from_the_first(
    client, user, bulk_images, settings
):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    bulk_images(user, [f"Reef {n}" for n in range(5)])
    url = reverse("gallery:index")

    def told(body):
        found = re.search(r'<ul class="gallery-grid[^>]*>', body)[0]
        total = re.search(r'data-total="(\d+)"', found)
        return total and total[1]

    first = client.get(url).content.decode()
    assert told(first) == "5"
    older = re.search(r'rel="next"\s+href="\?([^"]*)"', first)[1].replace("&amp;", "&")
    second = client.get(f"{url}?{older}").content.decode()
    assert "Reef 2" in second and told(second) is None  # its first is the 3rd
    settings.IMAGEREPO_RESULT_COUNT_CAP = 3
    assert told(client.get(url).content.decode()) is None  # "3+" is no total


@pytest.mark.parametrize(("cap", "shown"), [(1, "1+"), (2, "2+"), (3, "3+"), (4, "4")])
def test_an_owners_count_adds_their_private_images_up_to_the_cap(
    client_for, user, other_user, bulk_images, settings, cap, shown
):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 1  # a next page: the count is asked for
    settings.IMAGEREPO_RESULT_COUNT_CAP = cap
    bulk_images(other_user, ["Reef 1", "Reef 2"])
    bulk_images(other_user, ["Reef 3"], visibility="private")
    bulk_images(user, ["Reef 4", "Reef 5"], visibility="private")
    body = client_for(user).get(reverse("gallery:index")).content.decode()
    assert re.search(rf'id="result-count">\s*{re.escape(shown)}\s*photos', body)


def test_gallery_for_a_signed_in_user_merges_public_and_private_newest_first(
    client_for, user, other_user, bulk_images, settings
):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    made = []
    for n in range(4):
        made += bulk_images(user, [f"mine {n}"], visibility="private")
        made += bulk_images(other_user, [f"theirs {n}"])
        bulk_images(other_user, [f"hidden {n}"], visibility="private")
    client, url, seen = client_for(user), reverse("gallery:index"), []
    while url:
        html = client.get(url).content.decode()
        seen += re.findall(r'data-image-id="([^"]+)"', html)
        more = re.search(r'rel="next"\s+href="([^"]+)"', html)
        url = (
            reverse("gallery:index") + more.group(1).replace("&amp;", "&")
            if more
            else None
        )
    assert seen == [str(image.pk) for image in reversed(made)]


def tiles_on(client, **params):
    html = client.get(reverse("gallery:index"), params).content.decode()
    return re.findall(r'<li class="tile .*?</li>', html, re.S)


def test_a_tile_escapes_its_title_and_lets_the_owner_select_it(
    client_for, user, make_image
):
    make_image(user, title="Kelp <forest>", visibility="private")
    [tile] = tiles_on(client_for(user))
    assert "Kelp &lt;forest&gt;" in tile and "Kelp <forest>" not in tile
    assert "tile-check" in tile and "Private" in tile


def test_tiles_follow_every_change(client_for, user, other_user, make_image):
    from gallery.services.images import image_update

    image = make_image(user, title="Coral", visibility="public")
    owner, other = client_for(user), client_for(other_user)
    assert "tile-check" in tiles_on(owner)[0]  # the owner may select it
    assert "tile-check" not in tiles_on(other)[0]
    assert "<mark>Coral</mark>" in tiles_on(other, q="cor")[0]
    assert "<mark>" not in tiles_on(other)[0]
    image_update(image, title="Anemone")
    assert "Anemone" in tiles_on(other)[0] and "Coral" not in tiles_on(other)[0]
    images_set_visibility(type(image).objects.filter(pk=image.pk), "private")
    assert "Private" in tiles_on(owner)[0] and tiles_on(other) == []


@pytest.mark.parametrize("params", [{}, {"q": "reef"}, {"show": "private"}])
def test_a_page_of_tiles_costs_the_same_queries_as_one_tile(
    client_for, user, bulk_images, django_assert_max_num_queries, params, settings
):
    # A field a tile reads but the gallery did not load would cost one more
    # query per tile; the number of queries must not grow with the tiles.
    bulk_images(user, ["Reef 1"], visibility="private")
    client = client_for(user)
    client.get(reverse("gallery:index"), params)  # session warm
    with django_assert_max_num_queries(99) as one:
        client.get(reverse("gallery:index"), params)
    bulk_images(user, [f"Reef {n}" for n in range(2, 30)], visibility="private")
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("gallery:index"), params).content.decode()
    assert html.count('<li class="tile ') == 29
