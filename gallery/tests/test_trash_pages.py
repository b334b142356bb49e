"""The Trash page, its buttons (restore, delete for good, both for some
photos or all) and the Undo that follows a delete."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from gallery.models import Image
from gallery.services.images import images_trash

from .test_security_http import INLINE

pytestmark = pytest.mark.django_db

TRASH = reverse("gallery:trash")
RESTORE = reverse("gallery:trash-restore")
PURGE = reverse("gallery:trash-purge")


def trash(*images, at=None):
    """Move ``images`` to their owners' trash, ``at`` a given moment if
    asked (the page groups and orders by it)."""
    pks = [image.pk for image in images]
    images_trash(Image.objects.filter(pk__in=pks))
    if at is not None:
        Image.objects.filter(pk__in=pks).update(trashed_at=at)
    for image in images:
        image.refresh_from_db()
    return list(images)


def ids_on(response):
    return re.findall(r'data-image-id="([^"]+)"', response.content.decode())


def in_trash(*images):
    return [Image.objects.get(pk=image.pk).in_trash for image in images]


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def exists(image):
    return Image.objects.filter(pk=image.pk).exists()


def files_exist(image):
    return [default_storage.exists(name) for name in image.stored_files()]


# ---------------------------------------------------------------- the page


def test_the_page_lists_the_owners_trash_last_deleted_first(
    client_for, user, make_image
):
    early, late = (
        trash(make_image(user, title="Early")),
        trash(make_image(user, title="Late")),
    )
    make_image(user, title="Still live")
    response = client_for(user).get(TRASH)
    assert response.status_code == 200
    assert ids_on(response) == [str(late[0].pk), str(early[0].pk)]
    body = response.content.decode()
    assert "Still live" not in body
    # The owner's own thumbnails, under the trash's URL version.
    assert late[0].thumbnail_url in body
    assert client_for(user).get(late[0].thumbnail_url).status_code == 200


def test_the_page_says_how_many_how_big_and_for_how_long(
    client_for, user, make_image, settings
):
    settings.IMAGEREPO_TRASH_DAYS = 30
    images = trash(make_image(user), make_image(user))
    size = sum(image.file_size for image in images)
    body = client_for(user).get(TRASH).content.decode()
    summary = re.search(r'id="trash-summary">([^<]+)<', body).group(1)
    assert summary.startswith("2 photos, ") and summary.endswith(("KB", "bytes"))
    assert f"{size / 1024:.1f}" in summary or f"{size} bytes" in summary
    note = " ".join(re.search(r'id="trash-note">(.*?)</p>', body, re.S)[1].split())
    assert note == (
        "Space is freed only when they are deleted for good; photos are "
        "deleted for good 30 days after you deleted them."
    )


def test_each_day_says_when_it_was_deleted_and_until_when_it_is_kept(
    client_for, user, make_image, settings
):
    settings.IMAGEREPO_TRASH_DAYS = 30
    trash(make_image(user), at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    trash(make_image(user), make_image(user), at=datetime(2026, 3, 5, 9, tzinfo=UTC))
    body = client_for(user).get(TRASH).content.decode()
    headings = [
        " ".join(re.sub(r"<[^>]+>", "", h).split())
        for h in re.findall(r'<h2 class="h6 mb-0">(.*?)</h2>', body, re.S)
    ]
    assert headings == [
        "Deleted 5 March 2026 · kept until 4 April 2026, then deleted for good",
        "Deleted 2 March 2026 · kept until 1 April 2026, then deleted for good",
    ]


def test_the_page_pages_older_and_newer(client_for, user, make_image, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = [make_image(user) for _ in range(5)]
    for n, image in enumerate(made):
        trash(image, at=start + timedelta(hours=n))
    newest_first = [str(image.pk) for image in reversed(made)]
    client = client_for(user)
    pages, url = [], TRASH
    while url:
        response = client.get(url)
        pages.append(ids_on(response))
        older = re.search(r'rel="next"\s+href="\?([^"]+)"', response.content.decode())
        url = f"{TRASH}?{older[1].replace('&amp;', '&')}" if older else None
    assert [pk for page in pages for pk in page] == newest_first
    newer = re.search(r'rel="prev"\s+href="\?([^"]+)"', response.content.decode())
    back = client.get(f"{TRASH}?{newer[1].replace('&amp;', '&')}")
    assert ids_on(back) == pages[1]


def test_a_bad_cursor_shows_the_first_page(client_for, user, make_image):
    image = trash(make_image(user))[0]
    for params in ({"after": "not-a-cursor!"}, {"before": "x" * 300}):
        response = client_for(user).get(TRASH, params)
        assert response.status_code == 200
        assert ids_on(response) == [str(image.pk)]


def test_an_empty_trash_says_so(client_for, user, make_image):
    make_image(user)
    body = client_for(user).get(TRASH).content.decode()
    assert "Your trash is empty." in body
    assert 'id="restore-all"' not in body and 'id="empty-trash"' not in body


def test_others_never_see_your_trash(client_for, user, other_user, make_image):
    mine = trash(make_image(user, title="Alice's mistake"))[0]
    response = client_for(other_user).get(TRASH)
    assert response.status_code == 200
    assert ids_on(response) == []
    assert "Alice's mistake" not in response.content.decode()
    assert client_for(other_user).get(mine.thumbnail_url).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client_for):
    response = client_for(None).get(TRASH)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={TRASH}"


def test_the_header_and_the_gallery_filters_link_the_trash(client_for, user):
    body = client_for(user).get(reverse("gallery:index")).content.decode()
    assert body.count(f'href="{TRASH}"') == 2
    trash_page = client_for(user).get(TRASH).content.decode()
    assert trash_page.count('aria-current="page" href="/trash/"') == 2
    assert f'href="{TRASH}"' not in client_for(None).get("/").content.decode()


# ---------------------------------------------------------------- restore


def test_restore_brings_back_the_chosen_photos_only(client_for, user, make_image):
    chosen = trash(make_image(user), make_image(user))
    left = trash(make_image(user))[0]
    response = client_for(user).post(
        RESTORE, {"images": [str(i.pk) for i in chosen]}, follow=True
    )
    assert response.redirect_chain == [(TRASH, 302)]
    assert "2 photos restored." in messages_of(response)
    assert in_trash(*chosen, left) == [False, False, True]


def test_restore_all(client_for, user, other_user, make_image):
    mine = trash(make_image(user), make_image(user))
    theirs = trash(make_image(other_user))
    response = client_for(user).post(RESTORE, {"all": "1"}, follow=True)
    assert "2 photos restored." in messages_of(response)
    assert in_trash(*mine, *theirs) == [False, False, True]


def test_restore_counts_only_what_is_in_your_own_trash(
    client_for, user, other_user, make_image
):
    mine = trash(make_image(user))[0]
    theirs = trash(make_image(other_user))[0]
    live = make_image(user)
    unknown = "0" * 32
    response = client_for(user).post(
        RESTORE,
        {"images": [str(mine.pk), str(theirs.pk), str(live.pk), unknown]},
        follow=True,
    )
    assert "1 photo restored." in messages_of(response)
    assert in_trash(mine, theirs, live) == [False, True, False]

    again = client_for(user).post(RESTORE, {"images": [str(mine.pk)]}, follow=True)
    assert messages_of(again) == [
        "Nothing was restored: those photos are no longer in your trash."
    ]


@pytest.mark.parametrize("view", [RESTORE, PURGE])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select at least one photo first."),
        ({"images": ["not-a-uuid"]}, "That is not a photo id; nothing was changed."),
        ({"images": ["12"], "all": "1"}, "That is not a photo id"),
        ({"all": "1", "images": ["0" * 32]}, "not both"),
    ],
)
def test_bad_input_changes_nothing_and_says_why(
    client_for, user, make_image, view, data, message
):
    image = trash(make_image(user))[0]
    response = client_for(user).post(view, data, follow=True)
    assert response.status_code == 200
    [said] = messages_of(response)
    assert message in said
    assert 'class="alert alert-danger"' in response.content.decode()
    assert in_trash(image) == [True]


@pytest.mark.parametrize("view", [RESTORE, PURGE])
def test_the_buttons_take_posts_only(client_for, user, make_image, view):
    image = trash(make_image(user))[0]
    response = client_for(user).get(view, {"all": "1"})
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Nothing was changed" in response.content.decode()
    assert in_trash(image) == [True]


@pytest.mark.parametrize("view", [RESTORE, PURGE])
def test_the_buttons_need_sign_in(client_for, user, make_image, view):
    image = trash(make_image(user))[0]
    data = {"all": "1", "confirmed": "1"}
    response = client_for(None).post(view, data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert in_trash(image) == [True]


def test_restore_goes_back_to_a_local_next_only(client_for, user, make_image):
    image = trash(make_image(user))[0]
    client = client_for(user)
    data = {"images": [str(image.pk)], "next": "/?show=mine"}
    assert client.post(RESTORE, data)["Location"] == "/?show=mine"
    trash(image)
    data["next"] = "https://evil.example/"
    assert client.post(RESTORE, data)["Location"] == TRASH


# ---------------------------------------------------------------- delete for good


def test_delete_for_good_asks_first_and_says_it_cannot_be_undone(
    client_for, user, make_image
):
    chosen = trash(make_image(user, title="Blurry"), make_image(user))
    response = client_for(user).post(PURGE, {"images": [str(i.pk) for i in chosen]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Delete 2 photos for good?" in body
    assert "This cannot be undone." in body
    assert chosen[0].thumbnail_url in body
    assert set(re.findall(r'name="images" value="([^"]+)"', body)) == {
        str(i.pk) for i in chosen
    }
    assert all(exists(image) for image in chosen)


def test_delete_for_good_removes_the_rows_and_files_once_confirmed(
    client_for, user, other_user, make_image, django_capture_on_commit_callbacks
):
    chosen = trash(make_image(user))[0]
    left = trash(make_image(user))[0]
    theirs = trash(make_image(other_user))[0]
    live = make_image(user)
    data = {
        "images": [str(i.pk) for i in (chosen, theirs, live)],
        "confirmed": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(PURGE, data, follow=True)
    assert "1 photo deleted for good." in messages_of(response)
    assert not exists(chosen)
    assert files_exist(chosen) == [False] * 3
    for kept in (left, theirs, live):
        assert exists(kept) and files_exist(kept) == [True] * 3


def test_empty_trash_asks_first_then_deletes_all_of_it(
    client_for, user, other_user, make_image, django_capture_on_commit_callbacks
):
    mine = trash(make_image(user), make_image(user))
    theirs = trash(make_image(other_user))[0]
    live = make_image(user)
    client = client_for(user)
    ask = client.post(PURGE, {"all": "1"})
    body = ask.content.decode()
    assert "Empty the trash?" in body and "All 2 photos in your trash" in body
    assert "This cannot be undone." in body
    assert all(exists(image) for image in mine)

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(PURGE, {"all": "1", "confirmed": "1"}, follow=True)
    assert "2 photos deleted for good." in messages_of(done)
    assert not any(exists(image) for image in mine)
    assert exists(theirs) and exists(live)
    assert "Your trash is empty." in done.content.decode()


def test_empty_trash_on_an_empty_trash_says_so(client_for, user, make_image):
    live = make_image(user)
    response = client_for(user).post(PURGE, {"all": "1"}, follow=True)
    assert messages_of(response) == ["Your trash is already empty."]
    assert exists(live)


def test_delete_for_good_of_photos_no_longer_there_asks_nothing(
    client_for, user, other_user, make_image
):
    theirs = trash(make_image(other_user))[0]
    live = make_image(user)
    response = client_for(user).post(
        PURGE, {"images": [str(theirs.pk), str(live.pk)]}, follow=True
    )
    assert messages_of(response) == [
        "Nothing to delete: those photos are no longer in your trash."
    ]
    assert exists(theirs) and exists(live)


# ---------------------------------------------------------------- undo


def undo_form(response):
    """The Undo button's form in the message a delete leaves: its ids and
    where it goes back to."""
    body = response.content.decode()
    form = re.search(
        r'<form method="post" action="/trash/restore/".*?</form>', body, re.S
    )
    assert form, "no Undo button"
    fields = re.findall(r'name="(\w+)" value="([^"]*)"', form[0])
    assert 'id="undo-trash"' in form[0]
    return {
        "images": [value for name, value in fields if name == "images"],
        "next": dict(fields)["next"],
        "csrfmiddlewaretoken": dict(fields)["csrfmiddlewaretoken"],
    }


@pytest.mark.parametrize("action", ["delete", "date"])
def test_a_confirmation_lists_the_photos_as_their_page_did(
    client_for, user, make_image, action
):
    chosen = [make_image(user, title=f"Photo {n}") for n in range(6)]
    listed = [chosen[n] for n in (3, 0, 5, 1, 4, 2)]  # as the boxes came
    page = client_for(user).post(
        reverse("gallery:bulk"),
        {"action": action, "next": "/", "images": [str(i.pk) for i in listed]},
    )
    shown = re.findall(r'tile-title">(Photo \d)<', page.content.decode())
    assert shown == [image.title for image in listed]


def test_undo_after_a_bulk_delete_restores_exactly_those(client_for, user, make_image):
    chosen = [make_image(user) for _ in range(3)]
    earlier = trash(make_image(user))[0]
    client = client_for(user)
    deleted = client.post(
        reverse("gallery:bulk"),
        {
            "action": "delete",
            "confirmed": "1",
            "next": "/?show=mine",
            "images": [str(i.pk) for i in chosen],
        },
        follow=True,
    )
    assert deleted.redirect_chain == [("/?show=mine", 302)]
    assert in_trash(*chosen) == [True] * 3
    body = deleted.content.decode()
    assert "3 photos moved to the trash." in body
    assert f'<a href="{TRASH}" class="alert-link">Open the trash</a>' in body
    form = undo_form(deleted)
    assert sorted(form["images"]) == sorted(str(i.pk) for i in chosen)

    undone = client.post(RESTORE, form, follow=True)
    assert undone.redirect_chain == [("/?show=mine", 302)]
    assert "3 photos restored." in messages_of(undone)
    assert in_trash(*chosen, earlier) == [False, False, False, True]


def test_undo_after_deleting_from_the_image_page(user, make_image):
    image = make_image(user, title="Cat <3")
    client = Client(enforce_csrf_checks=True)  # the Undo form's token must hold
    client.force_login(user)
    ask = client.get(reverse("gallery:delete", args=[image.pk])).content.decode()
    assert "Move “Cat &lt;3” to the trash?" in ask
    assert ">Move to trash</button>" in ask
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', ask)[1]
    deleted = client.post(
        reverse("gallery:delete", args=[image.pk]),
        {"csrfmiddlewaretoken": token},
        follow=True,
    )
    assert "“Cat &lt;3” was moved to the trash." in deleted.content.decode()
    form = undo_form(deleted)
    assert form["images"] == [str(image.pk)]
    undone = client.post(RESTORE, form, follow=True)
    assert undone.redirect_chain == [(image.get_absolute_url(), 302)]
    assert "1 photo restored." in messages_of(undone)
    assert in_trash(image) == [False]


def test_undo_holds_hundreds_of_photos(client_for, user, bulk_images):
    # Past what a message cookie holds: the message goes by the session.
    chosen = bulk_images(user, [f"n{i}" for i in range(200)])
    client = client_for(user)
    data = {"action": "delete", "confirmed": "1", "images": [i.pk for i in chosen]}
    deleted = client.post(reverse("gallery:bulk"), data, follow=True)
    form = undo_form(deleted)
    assert len(form["images"]) == 200
    undone = client.post(RESTORE, form, follow=True)
    assert "200 photos restored." in messages_of(undone)
    assert not Image.objects.trash_of(user).exists()


def test_the_undo_button_restores_nothing_of_someone_elses(
    client_for, user, other_user, make_image
):
    theirs = trash(make_image(other_user))[0]
    response = client_for(user).post(RESTORE, {"images": [str(theirs.pk)]})
    assert response.status_code == 302
    assert in_trash(theirs) == [True]


# ---------------------------------------------------------------- security


@pytest.mark.parametrize("view", [RESTORE, PURGE])
def test_a_forged_post_without_a_csrf_token_changes_nothing(user, make_image, view):
    image = trash(make_image(user))[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(view, {"all": "1", "confirmed": "1"})
    assert response.status_code == 403
    assert in_trash(image) == [True]


def test_the_trash_pages_have_nothing_inline(client_for, user, make_image):
    chosen = trash(make_image(user, title="x"), make_image(user))
    client = client_for(user)
    pages = {
        "trash": client.get(TRASH),
        "confirmation": client.post(PURGE, {"images": [str(chosen[0].pk)]}),
        "posts only": client.get(RESTORE),
        "undo": client.post(
            reverse("gallery:delete", args=[make_image(user).pk]), follow=True
        ),
    }
    for name, response in pages.items():
        html = response.content.decode()
        for what, pattern in INLINE.items():
            assert not pattern.search(html), f"{what} on the {name} page"


def test_the_owner_restores_a_trashed_photo_from_its_old_address(
    client_for, user, make_image
):
    image = make_image(user, title="Kite festival")
    images_trash(Image.objects.filter(pk=image.pk))
    client = client_for(user)
    page = client.get(image.get_absolute_url())
    assert page.status_code == 404
    html = page.content.decode()
    assert "“Kite festival” is in your trash" in html and "Restore" in html
    restored = client.post(
        reverse("gallery:trash-restore"),
        {"images": [image.pk], "next": image.get_absolute_url()},
        follow=True,
    )
    assert restored.redirect_chain == [(image.get_absolute_url(), 302)]
    assert restored.status_code == 200 and "1 photo restored." in (
        restored.content.decode()
    )
