"""Uploads are private unless the person chooses public, whichever way they
come in; the upload page offers each account its own last choice."""

import re

import pytest
from django.urls import reverse

from gallery.models import Account, Image
from gallery.services.uploads import upload_image

from .images import noisy_jpeg, upload
from .test_commands import run

pytestmark = pytest.mark.django_db

PAGE = reverse("gallery:upload")
ENDPOINT = reverse("gallery:upload-file")


def offered(client):
    """The visibility the upload page has checked when it opens."""
    html = client.get(PAGE).content.decode()
    radios = re.findall(r'<input[^>]*name="visibility"[^>]*>', html)
    checked = [
        re.search(r'value="(\w+)"', tag)[1] for tag in radios if "checked" in tag
    ]
    assert len(checked) == 1, radios
    return checked[0]


def post_page(client, visibility, seed):
    files = [upload(f"{seed}.jpg", noisy_jpeg(seed=seed))]
    data = {"visibility": visibility, "title": "", "description": "", "images": files}
    return client.post(PAGE, data)


def test_the_upload_service_stores_private_unless_told(user):
    image = upload_image(owner=user, file=upload("a.jpg", noisy_jpeg(seed=1))).image
    assert image.visibility == "private"


def test_a_new_account_is_offered_private_on_the_upload_page(client_for, user):
    assert offered(client_for(user)) == "private"


def test_the_upload_page_offers_each_account_its_own_last_choice(
    client_for, user, other_user
):
    alice, bob = client_for(user), client_for(other_user)
    post_page(alice, "public", seed=1)
    assert Image.objects.get().visibility == "public"
    assert offered(alice) == "public"
    assert offered(bob) == "private"  # alice's choice is hers alone

    post_page(bob, "public", seed=2)
    post_page(alice, "private", seed=3)
    assert (offered(alice), offered(bob)) == ("private", "public")


def send(client, seed, **fields):
    return client.post(
        ENDPOINT, {"file": upload("x.jpg", noisy_jpeg(seed=seed)), **fields}
    )


def test_the_upload_endpoint_stores_private_without_a_visibility(client_for, user):
    response = send(client_for(user), seed=1)
    assert response.status_code == 201
    assert response.json()["image"]["visibility"] == "private"
    assert Image.objects.get().visibility == "private"


def test_the_batch_choice_sent_by_the_uploader_is_remembered(client_for, user):
    client = client_for(user)
    assert send(client, seed=1, visibility="public", remember="1").status_code == 201
    assert offered(client) == "public"
    # One file's own choice in its row is not the page's next default.
    assert send(client, seed=2, visibility="private").status_code == 201
    assert offered(client) == "public"
    assert Account.objects.get(user=user).upload_visibility == "public"


def test_a_refused_choice_is_not_remembered(client_for, user):
    client = client_for(user)
    response = send(client, seed=1, visibility="everyone", remember="1")
    assert response.status_code == 400
    assert offered(client) == "private"
    assert not Image.objects.exists()


@pytest.mark.parametrize(
    ("flags", "visibility"),
    [([], "private"), (["--private"], "private"), (["--public"], "public")],
)
def test_import_images_is_private_unless_told(tmp_path, user, flags, visibility):
    (tmp_path / "a.jpg").write_bytes(noisy_jpeg(seed=1))
    _, _, status = run(str(tmp_path), "--owner", user.username, *flags)
    assert status == 0
    assert Image.objects.get().visibility == visibility


def test_import_images_takes_one_visibility_flag(tmp_path, user):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not allowed with argument"):
        run(str(tmp_path), "--owner", user.username, "--public", "--private")
