"""The trash through the API: DELETE moves an image there (or, asked
``permanent=true``, deletes it for good); ``/api/v1/trash/`` lists it,
restores from it and purges it, for the caller's own trash only."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.storage import default_storage

from gallery.models import Image
from gallery.services.images import images_trash

pytestmark = pytest.mark.django_db

IMAGES = "/api/v1/images/"
TRASH = "/api/v1/trash/"
RESTORE = "/api/v1/trash/restore/"
PURGE = "/api/v1/trash/purge/"


def trash(*images, at=None):
    pks = [image.pk for image in images]
    images_trash(Image.objects.filter(pk__in=pks))
    if at is not None:
        Image.objects.filter(pk__in=pks).update(trashed_at=at)
    for image in images:
        image.refresh_from_db()
    return images[0] if len(images) == 1 else list(images)


def state(image):
    """ "live", "trash" or "gone", as the database has it now."""
    found = Image.objects.filter(pk=image.pk).first()
    if found is None:
        return "gone"
    return "trash" if found.in_trash else "live"


def files_exist(image):
    return [default_storage.exists(name) for name in image.stored_files()]


# ---------------------------------------------------------------- DELETE


def test_delete_moves_to_the_trash_and_permanent_deletes_for_good(
    api_for, user, make_image, django_capture_on_commit_callbacks
):
    trashed, purged = make_image(user), make_image(user)
    client = api_for(user)
    assert client.delete(f"{IMAGES}{trashed.pk}/").status_code == 204
    assert client.delete(f"{IMAGES}{trashed.pk}/?permanent=false").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{IMAGES}{purged.pk}/?permanent=true")
    assert response.status_code == 204
    assert (state(trashed), state(purged)) == ("trash", "gone")
    assert files_exist(trashed) == [True] * 3
    assert files_exist(purged) == [False] * 3


def test_permanent_delete_reaches_into_the_trash(
    api_for, user, make_image, django_capture_on_commit_callbacks
):
    image = trash(make_image(user))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(user).delete(f"{IMAGES}{image.pk}/?permanent=1")
    assert response.status_code == 204
    assert state(image) == "gone" and files_exist(image) == [False] * 3


@pytest.mark.parametrize(
    ("visibility", "trashed", "status"),
    [("public", False, 403), ("private", False, 404), ("public", True, 404)],
)
def test_permanent_delete_of_someone_elses_image_changes_nothing(
    api_for, user, other_user, make_image, visibility, trashed, status
):
    image = make_image(other_user, visibility=visibility)
    if trashed:
        trash(image)
    response = api_for(user).delete(f"{IMAGES}{image.pk}/?permanent=true")
    assert response.status_code == status
    assert set(response.json()) >= {"code", "message"}
    assert state(image) == ("trash" if trashed else "live")


def test_permanent_delete_needs_a_token(api_for, user, make_image):
    image = make_image(user, visibility="public")
    response = api_for(None).delete(f"{IMAGES}{image.pk}/?permanent=true")
    assert response.status_code == 401
    assert state(image) == "live"


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_a_permanent_that_is_not_a_yes_or_no_is_refused(
    api_for, user, make_image, value
):
    image = make_image(user)
    response = api_for(user).delete(f"{IMAGES}{image.pk}/?permanent={value}")
    assert response.status_code == 400
    assert response.json()["field"] == "permanent"
    assert state(image) == "live"


def test_permanent_delete_of_unknown_and_malformed_ids_is_not_found(api_for, user):
    client = api_for(user)
    for pk in ("00000000-0000-0000-0000-000000000000", "-" * 36, "not-a-uuid"):
        response = client.delete(f"{IMAGES}{pk}/?permanent=true")
        assert response.status_code == 404, pk
        assert response.json()["code"] == "not_found"


# ---------------------------------------------------------------- the list


def test_the_list_is_the_callers_trash_last_deleted_first(
    api_for, user, other_user, make_image, settings
):
    settings.IMAGEREPO_TRASH_DAYS = 30
    start = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    older = trash(make_image(user, title="older"), at=start)
    newer = trash(make_image(user, title="newer"), at=start + timedelta(days=2))
    trash(make_image(other_user, visibility="public"))
    make_image(user, title="live")
    response = api_for(user).get(TRASH)
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [str(newer.pk), str(older.pk)]
    item = body["results"][1]
    assert item["trashed_at"] == "2026-05-01T12:00:00Z"
    assert item["purge_at"] == "2026-05-31T12:00:00Z"
    assert "url" not in item and "page_url" not in item
    # Its files are the owner's to fetch while it waits in the trash.
    thumbnail = item["thumbnail_url"].split("testserver", 1)[1]
    assert api_for(user).get(thumbnail).status_code == 200
    assert api_for(other_user).get(thumbnail).status_code == 404
    assert (body["next_cursor"], body["next"]) == (None, None)


def test_the_list_pages_with_cursors(api_for, user, make_image):
    start = datetime(2026, 5, 1, tzinfo=UTC)
    made = [make_image(user) for _ in range(5)]
    for n, image in enumerate(made):
        trash(image, at=start + timedelta(hours=n))
    client, seen, url = api_for(user), [], f"{TRASH}?page_size=2"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [item["id"] for item in body["results"]]
        url = body["next"] and body["next"].split("testserver", 1)[1]
    assert seen == [str(image.pk) for image in reversed(made)]


def test_others_see_none_of_your_trash(api_for, user, other_user, make_image):
    trash(make_image(user, visibility="public"))
    body = api_for(other_user).get(TRASH).json()
    assert body["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"cursor": "not-ours"}, "cursor"), ({"page_size": "0"}, "page_size")],
)
def test_bad_list_input_is_a_400(api_for, user, params, field):
    response = api_for(user).get(TRASH, params)
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", [TRASH, RESTORE, PURGE])
def test_the_trash_needs_a_token(api_for, user, make_image, url, method):
    image = trash(make_image(user))
    response = getattr(api_for(None), method)(url, {"all": True}, format="json")
    assert response.status_code in (401, 405)
    if url == TRASH or method == "post":
        assert response.status_code == 401
    assert state(image) == "trash"


# ---------------------------------------------------------------- restore, purge


def test_restore_counts_only_the_callers_trashed_images(
    api_for, user, other_user, make_image
):
    mine = trash(make_image(user))
    left = trash(make_image(user))
    theirs = trash(make_image(other_user))
    live = make_image(user)
    ids = [str(i.pk) for i in (mine, theirs, live)] + [
        "00000000-0000-0000-0000-000000000000"
    ]
    response = api_for(user).post(RESTORE, {"ids": ids}, format="json")
    assert response.status_code == 200
    assert response.json() == {"restored": 1}
    assert [state(i) for i in (mine, left, theirs, live)] == [
        "live",
        "trash",
        "trash",
        "live",
    ]
    assert api_for(user).get(f"{IMAGES}{mine.pk}/").status_code == 200


def test_restore_all(api_for, user, other_user, make_image):
    mine = trash(make_image(user), make_image(user))
    theirs = trash(make_image(other_user))
    response = api_for(user).post(RESTORE, {"all": True}, format="json")
    assert response.json() == {"restored": 2}
    assert [state(i) for i in (*mine, theirs)] == ["live", "live", "trash"]


def test_purge_deletes_rows_and_files_of_the_callers_trash_only(
    api_for, user, other_user, make_image, django_capture_on_commit_callbacks
):
    mine = trash(make_image(user))
    theirs = trash(make_image(other_user))
    live = make_image(user)
    ids = [str(i.pk) for i in (mine, theirs, live)]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(user).post(PURGE, {"ids": ids}, format="json")
    assert response.json() == {"purged": 1}
    assert [state(i) for i in (mine, theirs, live)] == ["gone", "trash", "live"]
    assert files_exist(mine) == [False] * 3
    assert files_exist(theirs) == files_exist(live) == [True] * 3


def test_purge_all_empties_the_callers_trash(
    api_for, user, other_user, make_image, django_capture_on_commit_callbacks
):
    mine = trash(make_image(user), make_image(user))
    theirs = trash(make_image(other_user))
    live = make_image(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(user).post(PURGE, {"all": True}, format="json")
    assert response.json() == {"purged": 2}
    assert [state(i) for i in (*mine, theirs, live)] == [
        "gone",
        "gone",
        "trash",
        "live",
    ]
    again = api_for(user).post(PURGE, {"all": True}, format="json")
    assert again.json() == {"purged": 0}


@pytest.mark.parametrize("url", [RESTORE, PURGE])
@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "required", None),
        ({"ids": []}, "required", None),
        ({"all": False}, "required", None),
        ({"ids": ["x"], "all": True}, "invalid", "ids.0"),
        (
            {"ids": ["00000000-0000-0000-0000-000000000000"], "all": True},
            "invalid",
            None,
        ),
        ({"ids": ["not-a-uuid"]}, "invalid", "ids.0"),
        ({"ids": [7]}, "invalid", "ids.0"),
        ({"ids": "00000000-0000-0000-0000-000000000000"}, "not_a_list", "ids"),
        ({"ids": None}, "null", "ids"),
        ({"all": "yes"}, "invalid", "all"),
        ({"ids": ["00000000-0000-0000-0000-000000000000"] * 201}, "max_length", "ids"),
        (["not", "an", "object"], "invalid", None),
    ],
)
def test_malformed_input_is_a_400_and_changes_nothing(
    api_for, user, make_image, url, body, code, field
):
    image = trash(make_image(user))
    response = api_for(user).post(url, body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == code
    assert error.get("field") == field
    assert state(image) == "trash"


@pytest.mark.parametrize("url", [RESTORE, PURGE])
def test_restore_and_purge_take_json_posts_only(api_for, user, make_image, url):
    image = trash(make_image(user))
    client = api_for(user)
    response = client.get(url)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    form = client.post(url, {"all": "true"})  # multipart, not JSON
    assert form.status_code == 415
    assert form.json()["code"] == "unsupported_media_type"
    assert state(image) == "trash"


def test_the_schema_documents_the_trash(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert {TRASH, RESTORE, PURGE} <= set(paths)
    delete = paths["/api/v1/images/{id}/"]["delete"]
    assert [p["name"] for p in delete["parameters"] if p["in"] == "query"] == [
        "permanent"
    ]
    assert "400" in delete["responses"]
