"""The trash in the admin: a filter, and actions that move images to their
owners' trash, restore them, or delete them for good after a page that
says it cannot be undone. The change page's Delete moves to the trash."""

import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from gallery.models import Image
from gallery.services.images import images_trash

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:gallery_image_changelist")


def state(image):
    found = Image.objects.filter(pk=image.pk).first()
    if found is None:
        return "gone"
    return "trash" if found.in_trash else "live"


def act(client, action, images, **extra):
    data = {"action": action, "_selected_action": [str(i.pk) for i in images]}
    return client.post(CHANGELIST, {**data, **extra}, follow=True)


def titles(response):
    return set(
        re.findall(
            r'class="field-title">(?:<a [^>]*>)?([^<]+)<', response.content.decode()
        )
    )


@pytest.mark.parametrize(
    ("trash", "expected"),
    [("yes", {"Binned"}), ("no", {"Kept"}), (None, {"Binned", "Kept"})],
)
def test_the_in_trash_filter(client_for, staff_user, user, make_image, trash, expected):
    binned = make_image(user, title="Binned")
    make_image(user, title="Kept")
    images_trash(Image.objects.filter(pk=binned.pk))
    params = {"trash": trash} if trash else {}
    response = client_for(staff_user).get(CHANGELIST, params)
    assert titles(response) == expected
    body = response.content.decode()
    assert "In trash" in body and "Not in trash" in body


def test_the_actions_say_trash_and_delete_for_good(
    client_for, staff_user, user, make_image
):
    make_image(user)  # the actions show above a list with something in it
    body = client_for(staff_user).get(CHANGELIST).content.decode()
    actions = dict(re.findall(r'<option value="(\w+)">([^<]+)</option>', body))
    assert "delete_selected" not in actions
    assert actions["move_to_trash"] == "Move selected images to the trash"
    assert actions["restore_from_trash"] == "Restore selected images from the trash"
    assert actions["delete_for_good"] == "Delete selected images for good"


def test_move_to_trash_then_restore(client_for, staff_user, user, make_image):
    chosen = [make_image(user), make_image(user)]
    left = make_image(user)
    client = client_for(staff_user)
    moved = act(client, "move_to_trash", chosen)
    assert "2 image(s) moved to their owners&#x27; trash." in moved.content.decode()
    assert [state(i) for i in (*chosen, left)] == ["trash", "trash", "live"]
    restored = act(client, "restore_from_trash", [chosen[0], left])
    assert "1 image(s) restored from the trash." in restored.content.decode()
    assert [state(i) for i in (*chosen, left)] == ["live", "trash", "live"]


def test_delete_for_good_asks_first_then_removes_rows_and_files(
    client_for,
    staff_user,
    user,
    other_user,
    make_image,
    django_capture_on_commit_callbacks,
):
    binned = make_image(user, title="Binned")
    live = make_image(other_user, title="Abuse")
    left = make_image(user, title="Left")
    images_trash(Image.objects.filter(pk=binned.pk))
    client = client_for(staff_user)
    ask = act(client, "delete_for_good", [binned, live])
    body = ask.content.decode()
    assert "This cannot be undone:" in body
    assert "“Binned” of alice, in the trash since" in body
    assert "“Abuse” of bob, not in the trash" in body
    assert [state(i) for i in (binned, live)] == ["trash", "live"]

    with django_capture_on_commit_callbacks(execute=True):
        done = act(client, "delete_for_good", [binned, live], post="yes")
    assert "2 image(s) deleted for good." in done.content.decode()
    assert [state(i) for i in (binned, live, left)] == ["gone", "gone", "live"]
    for image in (binned, live):
        assert not any(default_storage.exists(n) for n in image.stored_files())
    assert all(default_storage.exists(n) for n in left.stored_files())


def test_the_trash_actions_need_the_delete_permission(
    client_for, django_user_model, user, make_image
):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_image", "change_image"])
    )
    image = make_image(user)
    client = client_for(clerk)
    body = client.get(CHANGELIST).content.decode()
    for action in ("move_to_trash", "restore_from_trash", "delete_for_good"):
        assert f'value="{action}"' not in body
        act(client, action, [image], post="yes")
    assert state(image) == "live"


def test_the_change_pages_delete_moves_to_the_trash(
    client_for, staff_user, user, make_image, settings
):
    settings.IMAGEREPO_TRASH_DAYS = 30
    image = make_image(user, title="Oops")
    url = reverse("admin:gallery_image_delete", args=[image.pk])
    client = client_for(staff_user)
    ask = client.get(url).content.decode()
    assert "<h1>Move to trash?</h1>" in ask
    assert "will move to its owner's trash" in ask
    assert "deleted for good, with its files, 30 days later" in ask
    assert 'value="Move to trash"' in ask
    done = client.post(url, {"post": "yes"}, follow=True)
    assert done.redirect_chain[-1][0] == CHANGELIST
    assert "“Oops” was moved to its owner&#x27;s trash." in done.content.decode()
    assert state(image) == "trash"
