"""Albums and sharing them through the API: every endpoint and its errors,
and what a share lets its viewer see."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gallery.models import Album, AlbumShare, Image
from gallery.services.albums import album_add_images, album_create, album_share
from gallery.tests.conftest import stored_files
from gallery.tests.images import noisy_jpeg, upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/albums/"


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user("carol", password="pw-carol-123")


@pytest.fixture
def album(user, make_image):
    """Alice's "Summer" with two images, a public and a private one."""
    album = album_create(owner=user, title="Summer", description="Beach days")
    images = [make_image(user), make_image(user, visibility="private")]
    album_add_images(album, user=user, images=images)
    return album


def shared(album, person, role="viewer", **options):
    album_share(album, user=album.owner, username=person.username, role=role, **options)
    return album


def error(response, status, code, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body.get("field") == field, body
    return body


def ids(response):
    return [item["id"] for item in response.json()["results"]]


# ---------------------------------------------------------------- albums


def test_list_has_own_albums_then_those_shared_with_me(
    api_for, user, other_user, make_image, album
):
    theirs = album_create(owner=other_user, title="Bob's trip")
    album_add_images(theirs, user=other_user, images=[make_image(other_user)])
    shared(theirs, user, role="contributor")
    album_create(owner=other_user, title="Not shared")

    response = api_for(user).get(URL)

    assert response.status_code == 200
    mine, bobs = response.json()["results"]
    assert (mine["title"], mine["owner"], mine["is_owner"], mine["role"]) == (
        "Summer",
        "alice",
        True,
        "owner",
    )
    assert (mine["description"], mine["image_count"]) == ("Beach days", 2)
    assert mine["cover"]["thumbnail_url"].endswith(
        f"/api/v1/images/{mine['cover']['id']}/thumbnail/"
    )
    assert mine["url"].endswith(f"{URL}{album.pk}/")
    assert {"created_at", "updated_at", "images_url"} <= set(mine)
    assert mine["page_url"] == f"http://testserver/albums/{album.pk}/"
    assert (bobs["title"], bobs["owner"], bobs["is_owner"], bobs["role"]) == (
        "Bob's trip",
        "bob",
        False,
        "contributor",
    )


def test_the_list_asks_the_same_queries_for_one_album_or_many(
    api_for, user, other_user, album
):
    client = api_for(user)
    client.get(URL)  # the token's first use is noted once

    def queries():
        with CaptureQueriesContext(connection) as ran:
            assert client.get(URL).status_code == 200
        return len(ran.captured_queries)

    one = queries()
    for n in range(3):
        album_create(owner=user, title=f"Mine {n}")
        shared(album_create(owner=other_user, title=f"Theirs {n}"), user)
    assert queries() == one


def test_an_empty_album_has_no_cover(api_for, user):
    album_create(owner=user, title="Empty")
    [item] = api_for(user).get(URL).json()["results"]
    assert (item["cover"], item["image_count"]) == (None, 0)


def test_albums_need_a_token(api_for, album):
    anonymous = api_for(None)
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}{album.pk}/").status_code == 401
    assert anonymous.post(URL, {"title": "x"}, format="json").status_code == 401


def test_create(api_for, user):
    response = api_for(user).post(
        URL, {"title": "  New   album ", "description": "d"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["description"], body["role"]) == (
        "New album",
        "d",
        "owner",
    )
    assert Album.objects.get(pk=body["id"]).owner == user
    assert body["order"] == "newest"
    response = api_for(user).post(
        URL, {"title": "Trip", "order": "oldest"}, format="json"
    )
    assert response.json()["order"] == "oldest"


def test_create_errors(api_for, user, album):
    client = api_for(user)
    error(
        client.post(URL, {"title": "Summer"}, format="json"),
        400,
        "album_exists",
        "title",
    )
    error(
        client.post(URL, {"title": "   "}, format="json"),
        400,
        "album_title_required",
        "title",
    )
    error(client.post(URL, {}, format="json"), 400, "required", "title")
    error(
        client.post(URL, {"title": "Trip", "order": "up"}, format="json"),
        400,
        "invalid_choice",
        "order",
    )
    long = error(
        client.post(URL, {"title": "x" * 201}, format="json"),
        400,
        "max_length",
        "title",
    )
    # In the service's words, as an upload's new album and the page say it.
    assert long["message"] == "title: An album title is at most 200 characters."
    error(client.post(URL, {"title": ["a"]}, format="json"), 400, "invalid", "title")
    bad_json = client.post(URL, "{not json", content_type="application/json")
    error(bad_json, 400, "invalid_json")
    error(client.post(URL, {"title": "x"}), 415, "unsupported_media_type")
    assert Album.objects.count() == 1
    # Counted as kept: spaces run together.
    spaced = client.post(URL, {"title": "x" + " " * 199 + "y"}, format="json")
    assert (spaced.status_code, spaced.json()["title"]) == (201, "x y")


def test_the_same_title_is_fine_for_someone_else(api_for, other_user, album):
    response = api_for(other_user).post(URL, {"title": "Summer"}, format="json")
    assert response.status_code == 201


def test_retrieve_own_and_shared_but_not_others(
    api_for, user, other_user, carol, album
):
    shared(album, other_user)
    assert api_for(user).get(f"{URL}{album.pk}/").json()["role"] == "owner"
    seen = api_for(other_user).get(f"{URL}{album.pk}/").json()
    assert (seen["role"], seen["is_owner"], seen["image_count"]) == ("viewer", False, 2)
    error(api_for(carol).get(f"{URL}{album.pk}/"), 404, "not_found")


@pytest.mark.parametrize("pk", [uuid.uuid4(), "0" * 32, "-" * 36])
def test_unknown_or_malformed_ids_are_not_found(api_for, user, pk):
    error(api_for(user).get(f"{URL}{pk}/"), 404, "not_found")
    error(api_for(user).get(f"{URL}{pk}/images/"), 404, "not_found")


def test_patch_renames_and_describes(api_for, user, album):
    response = api_for(user).patch(
        f"{URL}{album.pk}/", {"title": "Summer 2023", "description": ""}, format="json"
    )
    assert response.status_code == 200
    album.refresh_from_db()
    assert (album.title, album.description) == ("Summer 2023", "")


def test_patch_sets_the_order_its_images_are_listed_in(api_for, user, album):
    from datetime import timedelta

    client = api_for(user)
    older, newer = album.images.order_by("created_at")
    older.taken_at = newer.taken_at - timedelta(days=3)
    older.save(update_fields=["taken_at"])
    listed = f"{URL}{album.pk}/images/"
    assert ids(client.get(listed)) == [str(newer.pk), str(older.pk)]
    response = client.patch(f"{URL}{album.pk}/", {"order": "oldest"}, format="json")
    assert response.json()["order"] == "oldest"
    assert ids(client.get(listed)) == [str(older.pk), str(newer.pk)]
    response = client.patch(f"{URL}{album.pk}/", {"order": "random"}, format="json")
    error(response, 400, "invalid_choice", "order")
    album.refresh_from_db()
    assert album.order == "oldest"


def test_patch_sets_and_clears_the_cover(api_for, user, make_image, album):
    client = api_for(user)
    chosen = album.images.order_by("created_at").first()
    response = client.patch(
        f"{URL}{album.pk}/", {"cover": str(chosen.pk)}, format="json"
    )
    assert response.json()["cover"]["id"] == str(chosen.pk)
    album.refresh_from_db()
    assert album.cover == chosen

    outside = make_image(user)
    response = client.patch(
        f"{URL}{album.pk}/", {"cover": str(outside.pk)}, format="json"
    )
    error(response, 400, "cover_not_in_album", "cover")
    response = client.patch(f"{URL}{album.pk}/", {"cover": "nope"}, format="json")
    error(response, 400, "invalid", "cover")
    album.refresh_from_db()
    assert album.cover == chosen

    response = client.patch(f"{URL}{album.pk}/", {"cover": None}, format="json")
    assert response.status_code == 200
    album.refresh_from_db()
    assert album.cover is None


def test_a_cover_in_the_trash_is_kept_and_comes_back_with_it(api_for, user, album):
    from datetime import timedelta

    from gallery.services.images import images_restore, images_trash

    client = api_for(user)
    chosen, newest = album.images.order_by("created_at")
    Image.objects.filter(pk=chosen.pk).update(
        taken_at=newest.taken_at - timedelta(days=1)
    )
    client.patch(f"{URL}{album.pk}/", {"cover": str(chosen.pk)}, format="json")
    images_trash(Image.objects.filter(pk=chosen.pk))

    # The album shows its newest photo meanwhile; the choice outlasts a
    # rename, and giving it again changes nothing.
    for change in ({"title": "Summer 2023"}, {"cover": str(chosen.pk)}):
        response = client.patch(f"{URL}{album.pk}/", change, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["cover"]["id"] == str(newest.pk)
    album.refresh_from_db()
    assert album.cover == chosen

    images_restore(Image.objects.filter(pk=chosen.pk))
    assert client.get(f"{URL}{album.pk}/").json()["cover"]["id"] == str(chosen.pk)


def test_someone_elses_image_is_never_a_cover(
    api_for, user, other_user, make_image, album
):
    theirs = make_image(other_user)
    response = api_for(user).patch(
        f"{URL}{album.pk}/", {"cover": str(theirs.pk)}, format="json"
    )
    error(response, 400, "cover_not_in_album", "cover")


def test_patch_errors(api_for, user, album):
    album_create(owner=user, title="Winter")
    client = api_for(user)
    error(
        client.patch(f"{URL}{album.pk}/", {"title": "Winter"}, format="json"),
        400,
        "album_exists",
        "title",
    )
    error(
        client.patch(f"{URL}{album.pk}/", "[", content_type="application/json"),
        400,
        "invalid_json",
    )
    error(
        client.patch(f"{URL}{album.pk}/", {"owner": 1}, format="json"),
        400,
        "unknown_field",
        "owner",
    )
    album.refresh_from_db()
    assert album.title == "Summer"


@pytest.mark.parametrize("role", ["viewer", "contributor"])
def test_only_the_owner_changes_or_deletes(api_for, other_user, carol, album, role):
    shared(album, other_user, role=role)
    sharer = api_for(other_user)
    error(
        sharer.patch(f"{URL}{album.pk}/", {"title": "Mine"}, format="json"),
        403,
        "permission_denied",
    )
    refused = error(sharer.delete(f"{URL}{album.pk}/"), 403, "permission_denied")
    assert refused["message"] == "Only the album's owner may do this."
    stranger = api_for(carol)
    error(
        stranger.patch(f"{URL}{album.pk}/", {"title": "Mine"}, format="json"),
        404,
        "not_found",
    )
    error(stranger.delete(f"{URL}{album.pk}/"), 404, "not_found")
    album.refresh_from_db()
    assert album.title == "Summer"


def test_delete_keeps_the_images(api_for, user, album):
    images = list(album.images.all())
    assert api_for(user).delete(f"{URL}{album.pk}/").status_code == 204
    assert not Album.objects.exists()
    for image in images:
        assert api_for(user).get(f"/api/v1/images/{image.pk}/").status_code == 200


# ---------------------------------------------------------------- images


def test_album_images_are_paged(api_for, user, make_image, album):
    album_add_images(album, user=user, images=[make_image(user)])
    make_image(user)  # not in the album
    client = api_for(user)
    first = client.get(f"{URL}{album.pk}/images/?page_size=2")
    assert first.status_code == 200
    assert len(ids(first)) == 2 and first.json()["next_cursor"]
    rest = client.get(first.json()["next"])
    assert len(ids(rest)) == 1 and rest.json()["next"] is None
    assert set(ids(first) + ids(rest)) == {
        str(pk) for pk in album.images.values_list("pk", flat=True)
    }
    error(
        client.get(f"{URL}{album.pk}/images/?cursor=nonsense"),
        400,
        "invalid_cursor",
        "cursor",
    )
    error(
        client.get(f"{URL}{album.pk}/images/?page_size=0"),
        400,
        "min_value",
        "page_size",
    )


def test_add_own_images(api_for, user, make_image, album):
    new = [make_image(user), make_image(user)]
    body = {"images": [str(i.pk) for i in new]}
    client = api_for(user)
    response = client.post(f"{URL}{album.pk}/images/", body, format="json")
    assert response.json() == {"added": 2}
    assert album.images.count() == 4
    again = client.post(f"{URL}{album.pk}/images/", body, format="json")
    assert again.json() == {"added": 0}


def test_adding_someone_elses_image_adds_nothing(
    api_for, user, other_user, make_image, album
):
    mine, theirs = make_image(user), make_image(other_user)
    response = api_for(user).post(
        f"{URL}{album.pk}/images/",
        {"images": [str(mine.pk), str(theirs.pk)]},
        format="json",
    )
    error(response, 404, "not_found")
    assert str(theirs.pk) in response.json()["message"]
    assert album.images.count() == 2


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"images": ["not-a-uuid"]}, "invalid", "images.0"),
        ({"images": []}, "empty", "images"),
        ({"images": "abc"}, "not_a_list", "images"),
        ({}, "required", "images"),
        ({"images": [str(uuid.uuid4())] * 201}, "max_length", "images"),
    ],
)
def test_bad_image_lists(api_for, user, album, body, code, field):
    client = api_for(user)
    error(
        client.post(f"{URL}{album.pk}/images/", body, format="json"), 400, code, field
    )
    remove = client.post(f"{URL}{album.pk}/images/remove/", body, format="json")
    error(remove, 400, code, field)


def test_contributors_add_and_remove_their_own_viewers_remove_only(
    api_for, user, other_user, carol, make_image, album, django_user_model
):
    shared(album, other_user, role="contributor")
    shared(album, carol, role="viewer")
    bobs = make_image(other_user)
    body = {"images": [str(bobs.pk)]}
    contributor = api_for(other_user)
    response = contributor.post(f"{URL}{album.pk}/images/", body, format="json")
    assert response.json() == {"added": 1}

    viewer = api_for(carol)
    carols = {"images": [str(make_image(carol).pk)]}
    refused = error(
        viewer.post(f"{URL}{album.pk}/images/", carols, format="json"),
        403,
        "permission_denied",
    )
    # The service's words for who may.
    assert refused["message"] == (
        "Only the album's owner and its contributors may add images."
    )
    # Bob's photo is not Carol's to take out.
    response = viewer.post(f"{URL}{album.pk}/images/remove/", body, format="json")
    assert response.json() == {"removed": 0}

    alices = {
        "images": [
            str(pk)
            for pk in album.images.filter(owner=user).values_list("pk", flat=True)
        ]
    }
    response = contributor.post(
        f"{URL}{album.pk}/images/remove/", alices, format="json"
    )
    assert response.json() == {"removed": 0}
    response = contributor.post(f"{URL}{album.pk}/images/remove/", body, format="json")
    assert response.json() == {"removed": 1}
    assert album.images.count() == 2

    # Made a viewer, Bob may still take back what he added.
    contributor.post(f"{URL}{album.pk}/images/", body, format="json")
    shared(album, other_user, role="viewer")
    response = contributor.post(f"{URL}{album.pk}/images/remove/", body, format="json")
    assert response.json() == {"removed": 1}
    error(
        api_for(django_user_model.objects.create_user("dan")).post(
            f"{URL}{album.pk}/images/remove/", body, format="json"
        ),
        404,
        "not_found",
    )


def test_the_owner_removes_anything(api_for, user, other_user, make_image, album):
    shared(album, other_user, role="contributor")
    bobs = make_image(other_user)
    album_add_images(album, user=other_user, images=[bobs])
    everything = {
        "images": [str(pk) for pk in album.images.values_list("pk", flat=True)]
    }
    response = api_for(user).post(
        f"{URL}{album.pk}/images/remove/", everything, format="json"
    )
    assert response.json() == {"removed": 3}
    assert album.images.count() == 0
    assert Image.objects.filter(pk=bobs.pk).exists()


def test_strangers_cannot_reach_an_albums_images(api_for, carol, make_image, album):
    client = api_for(carol)
    body = {"images": [str(make_image(carol).pk)]}
    error(client.get(f"{URL}{album.pk}/images/"), 404, "not_found")
    error(
        client.post(f"{URL}{album.pk}/images/", body, format="json"), 404, "not_found"
    )
    error(
        client.post(f"{URL}{album.pk}/images/remove/", body, format="json"),
        404,
        "not_found",
    )


# ---------------------------------------------------------------- shares


def test_share_list_change_and_unshare(api_for, user, other_user, album):
    client = api_for(user)
    shares = f"{URL}{album.pk}/shares/"
    response = client.post(shares, {"username": "bob"}, format="json")
    assert response.status_code == 200
    assert response.json()["username"] == "bob"
    assert (response.json()["role"], response.json()["allow_download"]) == (
        "viewer",
        False,
    )
    response = client.post(
        shares,
        {"username": "bob", "role": "contributor", "allow_download": True},
        format="json",
    )
    assert (response.json()["role"], response.json()["allow_download"]) == (
        "contributor",
        True,
    )
    [listed] = client.get(shares).json()["results"]
    assert (listed["username"], listed["role"]) == ("bob", "contributor")
    # What is left out stays as it was, never a new share's defaults.
    response = client.post(shares, {"username": "bob"}, format="json")
    assert (response.json()["role"], response.json()["allow_download"]) == (
        "contributor",
        True,
    )
    response = client.post(
        shares, {"username": "bob", "allow_download": False}, format="json"
    )
    assert (response.json()["role"], response.json()["allow_download"]) == (
        "contributor",
        False,
    )

    # Named as sharing names the account: "Bob" for bob.
    assert client.delete(f"{shares}Bob/").status_code == 204
    assert not AlbumShare.objects.exists()
    error(client.delete(f"{shares}bob/"), 404, "not_found")
    assert client.get(shares).json() == {"results": []}


def test_share_errors(api_for, user, other_user, album):
    client = api_for(user)
    shares = f"{URL}{album.pk}/shares/"
    error(
        client.post(shares, {"username": "nobody"}, format="json"),
        400,
        "unknown_user",
        "username",
    )
    error(
        client.post(shares, {"username": "alice"}, format="json"),
        400,
        "own_album",
        "username",
    )
    error(
        client.post(shares, {"username": "bob", "role": "admin"}, format="json"),
        400,
        "invalid_choice",
        "role",
    )
    error(client.post(shares, {}, format="json"), 400, "required", "username")
    error(
        client.post(shares, "{", content_type="application/json"), 400, "invalid_json"
    )
    error(client.delete(f"{shares}nobody/"), 404, "not_found")
    assert not AlbumShare.objects.exists()


def test_a_closed_account_is_no_longer_listed_among_the_shares(
    api_for, user, django_user_model, album
):
    from gallery.services.accounts import account_delete, account_undelete

    kid = django_user_model.objects.create_user("kid", password="pw-kid-123")
    django_user_model.objects.create_user("Kid", password="pw-kid-456")
    shared(album, kid, role="contributor", allow_download=True)
    shared(album, django_user_model.objects.get(username="Kid"))
    client = api_for(user)
    shares = f"{URL}{album.pk}/shares/"

    def listed():
        return [share["username"] for share in client.get(shares).json()["results"]]

    assert listed() == ["kid", "Kid"]
    account_delete(user=kid)
    assert listed() == ["Kid"]
    # Nor is it found to stop sharing with: not even falling through to Kid.
    error(client.delete(f"{shares}kid/"), 404, "not_found")
    error(client.delete(f"{shares}KID/"), 404, "not_found")
    error(
        client.post(shares, {"username": "kid"}, format="json"),
        400,
        "unknown_user",
        "username",
    )
    assert album.shares.count() == 2

    account_undelete(user=kid)
    [back, _] = client.get(shares).json()["results"]
    assert (back["username"], back["role"], back["allow_download"]) == (
        "kid",
        "contributor",
        True,
    )


def test_only_the_owner_manages_shares(api_for, other_user, carol, album):
    shared(album, other_user, role="contributor")
    shares = f"{URL}{album.pk}/shares/"
    for person, status, code in [
        (other_user, 403, "permission_denied"),
        (carol, 404, "not_found"),
    ]:
        client = api_for(person)
        error(client.get(shares), status, code)
        error(client.post(shares, {"username": "carol"}, format="json"), status, code)
        error(client.delete(f"{shares}bob/"), status, code)
    assert list(AlbumShare.objects.values_list("user__username", flat=True)) == ["bob"]


@pytest.mark.parametrize("role", ["viewer", "contributor"])
def test_leaving_an_album_shared_with_me(
    api_for, user, other_user, make_image, album, role
):
    shared(album, other_user, role=role)
    mine = make_image(other_user, title="mine", visibility="private")
    if role == "contributor":
        album_add_images(album, user=other_user, images=[mine])
    bob = api_for(other_user)
    response = bob.post(f"{URL}{album.pk}/leave/")
    assert response.status_code == 204
    assert not AlbumShare.objects.exists()
    assert not album.entries.filter(image=mine).exists()
    error(bob.get(f"{URL}{album.pk}/"), 404, "not_found")
    error(bob.post(f"{URL}{album.pk}/leave/"), 404, "not_found")
    assert bob.get(f"/api/v1/images/{mine.pk}/").status_code == 200


def test_only_those_it_is_shared_with_leave_an_album(api_for, user, carol, album):
    shared(album, carol)
    error(api_for(user).post(f"{URL}{album.pk}/leave/"), 403, "permission_denied")
    error(api_for(carol).get(f"{URL}{album.pk}/leave/"), 405, "method_not_allowed")
    assert AlbumShare.objects.count() == 1


# ---------------------------------------------------------------- visibility


def test_a_share_shows_its_private_images_until_it_is_unshared(
    api_for, user, other_user, make_image
):
    private = make_image(user, title="private in album", visibility="private")
    elsewhere = make_image(user, title="private elsewhere", visibility="private")
    album = album_create(owner=user, title="Family")
    album_add_images(album, user=user, images=[private])
    bob = api_for(other_user)
    addresses = [
        f"/api/v1/images/{private.pk}/",
        f"/api/v1/images/{private.pk}/thumbnail/",
        f"/api/v1/images/{private.pk}/display/",
    ]

    def listed():
        return ids(bob.get("/api/v1/images/"))

    assert str(private.pk) not in listed()
    assert [bob.get(url).status_code for url in addresses] == [404, 404, 404]

    shared(album, other_user)
    assert str(private.pk) in listed()
    assert str(elsewhere.pk) not in listed()
    assert [bob.get(url).status_code for url in addresses] == [200, 200, 200]
    assert bob.get(addresses[0]).json()["original_url"] is None
    assert ids(bob.get(f"{URL}{album.pk}/images/")) == [str(private.pk)]
    error(bob.get(f"/api/v1/images/{elsewhere.pk}/"), 404, "not_found")

    assert api_for(user).delete(f"{URL}{album.pk}/shares/bob/").status_code == 204
    assert str(private.pk) not in listed()
    assert [bob.get(url).status_code for url in addresses] == [404, 404, 404]
    error(bob.get(f"{URL}{album.pk}/"), 404, "not_found")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"title": 0}, "title"),
        ("{pk}/", {"description": 1.5}, "description"),
        ("{pk}/", {"cover": 7}, "cover"),
        ("{pk}/images/", {"images": [0]}, "images.0"),
        ("{pk}/shares/", {"username": 12}, "username"),
        (
            "{pk}/shares/",
            {"username": "bob", "allow_download": "yes"},
            "allow_download",
        ),
    ],
)
def test_values_of_the_wrong_json_type_are_refused(
    api_for, user, other_user, album, path, body, field
):
    client = api_for(user)
    url = URL + path.format(pk=album.pk)
    method = client.patch if path == "{pk}/" else client.post
    error(method(url, body, format="json"), 400, "invalid", field)


# ---------------------------------------------------------------- uploads


def test_upload_into_an_album(api_for, user, album):
    client = api_for(user)
    files = [
        upload("new.jpg", noisy_jpeg(seed=31)),
        upload("two.jpg", noisy_jpeg(seed=32)),
    ]
    response = client.post(
        "/api/v1/images/", {"files": files, "album": str(album.pk)}, format="multipart"
    )
    assert response.status_code == 201
    assert album.images.count() == 4
    again = client.post(
        "/api/v1/images/",
        {"files": [upload("again.jpg", noisy_jpeg(seed=31))], "album": str(album.pk)},
        format="multipart",
    )
    assert again.json()["duplicate"] == 1 and album.images.count() == 4


@pytest.mark.parametrize("album_id", ["nope", str(uuid.uuid4()), "SHARED"])
def test_upload_into_an_album_you_may_not_add_to_stores_nothing(
    api_for, user, other_user, album, album_id
):
    shared(album, other_user, role="viewer")
    before = stored_files()
    album_id = str(album.pk) if album_id == "SHARED" else album_id
    response = api_for(other_user).post(
        "/api/v1/images/",
        {"files": [upload("x.jpg", noisy_jpeg(seed=33))], "album": album_id},
        format="multipart",
    )
    error(response, 400, "unknown_album", "album")
    assert not Image.objects.filter(owner=other_user).exists()
    assert stored_files() == before


def test_upload_into_a_new_album_by_its_title(api_for, user):
    api = api_for(user)
    response = api.post(
        "/api/v1/images/",
        {
            "files": [upload("n.jpg", noisy_jpeg(seed=34))],
            "album": "new",
            "album_title": "Snow",
        },
        format="multipart",
    )
    assert response.status_code == 201
    assert [i.title for i in Album.objects.get(title="Snow").images.all()] == ["n"]
    blank = api.post(
        "/api/v1/images/",
        {"files": [upload("m.jpg", noisy_jpeg(seed=35))], "album": "new"},
        format="multipart",
    )
    error(blank, 400, "album_title_required", "album_title")
    # Cut short, a long title would name another album ("Snow" + 197 more).
    long = api.post(
        "/api/v1/images/",
        {
            "files": [upload("m.jpg", noisy_jpeg(seed=35))],
            "album": "new",
            "album_title": "Snow" + "w" * 197,
        },
        format="multipart",
    )
    error(long, 400, "max_length", "album_title")
    assert Image.objects.count() == 1


@pytest.mark.parametrize("album", ["", "0f0f0f0f-0000-0000-0000-000000000000"])
def test_an_album_title_without_album_new_is_refused(api_for, user, album):
    api = api_for(user)
    asked = {"album_title": "Snow", **({"album": album} if album else {})}
    files = [upload("n.jpg", noisy_jpeg(seed=36))]
    response = api.post(
        "/api/v1/images/", {"files": files, **asked}, format="multipart"
    )
    error(response, 400, "invalid", "album_title")
    body = {"sha256": ["a" * 64], **asked}
    response = api.post("/api/v1/images/check-hashes/", body, format="json")
    error(response, 400, "invalid", "album_title")
    assert not Image.objects.exists() and not Album.objects.exists()


def test_hash_check_puts_what_you_have_in_the_album(api_for, user, make_image, album):
    extra = make_image(user)
    body = {"sha256": [extra.sha256], "album": str(album.pk)}
    response = api_for(user).post("/api/v1/images/check-hashes/", body, format="json")
    assert len(response.json()["existing"]) == 1
    assert album.images.filter(pk=extra.pk).exists()
    body["album"] = str(uuid.uuid4())
    response = api_for(user).post("/api/v1/images/check-hashes/", body, format="json")
    error(response, 400, "unknown_album", "album")


def test_a_share_allowing_downloads_lists_the_originals_in_the_api(
    api_for, user, other_user, make_image
):
    photo = make_image(user, title="to download", visibility="private")
    album = album_create(owner=user, title="Downloads")
    album_add_images(album, user=user, images=[photo])
    album_share(album, user=user, username=other_user.username, allow_download=True)
    bob = api_for(other_user)
    one = bob.get(f"/api/v1/images/{photo.pk}/").json()
    listed = [
        i
        for i in bob.get("/api/v1/images/").json()["results"]
        if i["id"] == str(photo.pk)
    ]
    for image in (one, listed[0]):
        assert image["original_url"].endswith(f"/api/v1/images/{photo.pk}/original/")
    assert bob.get(one["original_url"]).status_code == 200
    assert one["original_filename"] is None and one["sha256"] is None
