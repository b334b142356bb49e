"""Private means private: a private image does not exist for anyone but its
owner, on any URL, in any list, count or search, however they ask."""

import re
import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gallery.models import Image

from .conftest import stored_files

pytestmark = pytest.mark.django_db

URLS = ["detail", "thumbnail", "display", "original", "edit", "delete"]


@pytest.fixture
def outsiders(other_user, django_user_model):
    """Everyone who is not the owner: another user, a staff member without
    superuser rights, a superuser (on the site, not the admin), anonymous."""
    staff = django_user_model.objects.create_user("staffer", is_staff=True)
    boss = django_user_model.objects.create_superuser("boss", password="x-boss-123")
    return {
        "other user": other_user,
        "staff": staff,
        "superuser": boss,
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ["other user", "staff", "superuser", "anonymous"])
@pytest.mark.parametrize("view", URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_private_image_is_404_on_every_url_to_outsiders(
    client_for, user, make_image, outsiders, who, view, method
):
    image = make_image(user, title="Diary", visibility="private")
    client = client_for(outsiders[who])
    url = reverse(f"gallery:{view}", args=[image.pk])
    data = {"title": "Taken", "description": "", "visibility": "public"}
    response = (
        getattr(client, method)(url, data) if method == "post" else client.get(url)
    )
    # Anonymous edit/delete could redirect to sign-in instead; it must not,
    # since a redirect would confirm the id exists.
    expected = (
        405
        if method == "post" and view in ("thumbnail", "display", "original", "detail")
        else 404
    )
    assert response.status_code == expected
    image.refresh_from_db()
    assert (image.title, image.visibility) == ("Diary", "private")


def without_csrf_token(response, asked_for):
    """The body less the id asked for and the page's CSRF token: a not-found
    page with the site's navigation holds a token, masked afresh each time."""
    body = response.content.replace(str(asked_for).encode(), b"")
    return re.sub(rb'name="csrfmiddlewaretoken" value="\w+"', b"", body)


def test_walking_ids_finds_nothing_and_learns_nothing(
    client_for, user, other_user, make_image
):
    private = [make_image(user, visibility="private") for _ in range(3)]
    client = client_for(other_user)
    unknown = uuid.uuid4()
    for view in URLS:
        baseline = client.get(reverse(f"gallery:{view}", args=[unknown]))
        for image in private:
            response = client.get(reverse(f"gallery:{view}", args=[image.pk]))
            # Same answer as for an id that does not exist: no oracle.
            assert response.status_code == baseline.status_code == 404
            assert without_csrf_token(response, image.pk) == (
                without_csrf_token(baseline, unknown)
            )
    # Neighbouring and malformed ids are just as absent.
    for image in private:
        near = uuid.UUID(int=image.pk.int + 1)
        assert client.get(reverse("gallery:detail", args=[near])).status_code == 404
    assert client.get(f"/images/{private[0].pk.hex}/").status_code == 404


def result_count(html):
    return int(re.search(r'id="result-count">\s*([\d,]+)', html)[1].replace(",", ""))


@pytest.mark.parametrize("who", ["other user", "staff", "superuser", "anonymous"])
def test_private_images_are_absent_from_lists_searches_and_counts(
    client_for, user, make_image, outsiders, who
):
    make_image(user, title="Shared sunset", visibility="public")
    make_image(user, title="Secret sunset", description="sunset", visibility="private")
    client = client_for(outsiders[who])
    index = reverse("gallery:index")
    for params in ({}, {"q": "sunset"}, {"q": "secret"}, {"show": "public"}):
        html = client.get(index, params).content.decode()
        assert "Secret sunset" not in html
        assert result_count(html) == (0 if params.get("q") == "secret" else 1)
    for show in ("mine", "private"):
        html = client.get(index, {"show": show}).content.decode()
        assert "Secret" not in html and result_count(html) in (0, 1)
    # The owner sees both, and counts both.
    owner_html = client_for(user).get(index, {"q": "sunset"}).content.decode()
    assert result_count(owner_html) == 2


def test_staff_see_private_images_in_the_admin_only(
    client_for, user, make_image, outsiders
):
    image = make_image(user, title="Diary", visibility="private")
    boss = client_for(outsiders["superuser"])
    admin_list = boss.get(reverse("admin:gallery_image_changelist")).content.decode()
    assert "Diary" in admin_list
    admin_file = reverse("admin:gallery_image_file", args=[image.pk, "original"])
    assert boss.get(admin_file).status_code == 200
    assert boss.get(image.get_absolute_url()).status_code == 404
    # Staff without permissions on images get nothing from the admin either.
    staffer = client_for(outsiders["staff"])
    assert staffer.get(admin_file).status_code == 404
    assert staffer.get(reverse("admin:gallery_image_changelist")).status_code == 403


def test_switch_to_private_takes_effect_at_once_for_every_url(
    client_for, user, other_user, make_image
):
    image = make_image(user, title="Was public", visibility="public")
    urls = {v: reverse(f"gallery:{v}", args=[image.pk]) for v in URLS[:3]}
    anonymous, bob = client_for(None), client_for(other_user)
    etags = {}
    for view, url in urls.items():
        response = anonymous.get(url)
        assert response.status_code == 200
        if view != "detail":
            etags[view] = response["ETag"]
            assert "s-maxage=0" in response["Cache-Control"]

    owner = client_for(user)
    owner.post(
        reverse("gallery:edit", args=[image.pk]),
        {"title": "Now private", "description": "", "visibility": "private"},
    )
    for view, url in urls.items():
        for client in (anonymous, bob):
            assert client.get(url).status_code == 404
            if view in etags:
                stale = client.get(url, headers={"If-None-Match": etags[view]})
                assert stale.status_code == 404
    thumb = owner.get(urls["thumbnail"])
    assert thumb["ETag"] != etags["thumbnail"]
    assert thumb["Cache-Control"] == "private, no-cache"
    assert Image.objects.get().visibility == "private"


def test_admin_bulk_switch_to_private_takes_effect_at_once(
    client_for, staff_user, user, make_image
):
    images = [make_image(user, visibility="public") for _ in range(3)]
    anonymous = client_for(None)
    for image in images:
        assert anonymous.get(image.thumbnail_url).status_code == 200
    client_for(staff_user).post(
        reverse("admin:gallery_image_changelist"),
        {"action": "make_private", "_selected_action": [str(i.pk) for i in images]},
    )
    for image in images:
        assert anonymous.get(image.thumbnail_url).status_code == 404
        assert anonymous.get(image.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("kind", ["thumbnail", "display", "original"])
def test_no_shared_cache_may_keep_a_private_file_or_any_original(
    client_for, user, make_image, kind
):
    public = make_image(user, visibility="public")
    private = make_image(user, visibility="private")
    owner = client_for(user)
    private_response = owner.get(reverse(f"gallery:{kind}", args=[private.pk]))
    assert private_response["Cache-Control"] == "private, no-cache"
    public_response = owner.get(reverse(f"gallery:{kind}", args=[public.pk]))
    if kind == "original":
        assert public_response["Cache-Control"] == "private, no-cache"
    else:
        cache_control = public_response["Cache-Control"]
        assert "s-maxage=0" in cache_control and "proxy-revalidate" in cache_control


# Each action starts from the state it would change, so a bulk action that
# did reach someone else's image would show.
@pytest.mark.parametrize(
    ("action", "before"),
    [("private", "public"), ("public", "private"), ("delete", "public")],
)
def test_bulk_actions_cannot_reach_other_peoples_images(
    client_for, user, other_user, make_image, action, before
):
    theirs = make_image(user, title="Alice's", visibility=before)
    response = client_for(other_user).post(
        reverse("gallery:bulk"),
        {"action": action, "images": [str(theirs.pk)], "confirmed": "1"},
    )
    assert response.status_code in (302, 400, 404)
    theirs.refresh_from_db()
    assert (theirs.title, theirs.visibility) == ("Alice's", before)
    assert set(theirs.stored_files()) <= set(stored_files())


def test_hash_check_reveals_nothing_about_other_peoples_images(
    client_for, user, other_user, make_image
):
    theirs = make_image(user, visibility="private")
    response = client_for(other_user).post(
        reverse("gallery:upload-check"),
        {"sha256": [theirs.sha256]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"existing": [], "missing": [theirs.sha256]}


PLACE = (48.8582222, 2.2945)  # where the photo was taken


@pytest.fixture
def photo_with_place(user, make_image):
    from .images import image_bytes
    from .test_metadata import camera_exif

    exif = camera_exif(latitude=("N", 48, 51, 29.6), longitude=("E", 2, 17, 40.2))
    image = make_image(
        user, data=image_bytes("JPEG", exif=exif), title="Picnic", visibility="public"
    )
    assert (image.latitude, image.longitude) == pytest.approx(PLACE)
    return image


def shows_the_place(text):
    return "48.858" in text or "2.2945" in text or "openstreetmap" in text.lower()


def test_the_owner_sees_where_a_photo_was_taken(client_for, user, photo_with_place):
    page = client_for(user).get(photo_with_place.get_absolute_url()).content.decode()
    assert "48.85822, 2.29450" in page
    assert "https://www.openstreetmap.org/?mlat=48.858222&amp;mlon=2.294500" in page

    api = APIClient()
    api.force_authenticate(user)
    found = api.get(reverse("api:image-detail", args=[photo_with_place.pk])).json()
    assert (found["location"]["latitude"], found["location"]["longitude"]) == (
        pytest.approx(PLACE)
    )


@pytest.mark.parametrize("who", ["other user", "staff", "superuser", "anonymous"])
def test_a_photos_file_name_is_its_owners_to_see(
    client_for, user, outsiders, make_image, who
):
    image = make_image(
        user, name="IMG_passport_scan.jpg", title="Holiday", visibility="public"
    )
    own = client_for(user).get(image.get_absolute_url()).content.decode()
    assert "IMG_passport_scan.jpg" in own
    page = client_for(outsiders[who]).get(image.get_absolute_url())
    assert page.status_code == 200
    assert "passport" not in page.content.decode()


@pytest.mark.parametrize("who", ["other user", "staff", "superuser", "anonymous"])
def test_nobody_else_learns_where_a_public_photo_was_taken(
    client_for, outsiders, photo_with_place, who
):
    outsider = outsiders[who]
    client = client_for(outsider)
    pages = [
        photo_with_place.get_absolute_url(),
        reverse("gallery:index"),
        reverse("gallery:index") + "?q=picnic",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert not shows_the_place(response.content.decode()), url
    assert "Picnic" in client.get(pages[2]).content.decode()
    # Searching for the place finds nothing: coordinates are not searched.
    by_place = client.get(reverse("gallery:index") + "?q=48.858").content.decode()
    assert "Picnic" not in by_place

    api = APIClient()
    if outsider is not None:
        api.force_authenticate(outsider)
    one = api.get(reverse("api:image-detail", args=[photo_with_place.pk]))
    listing = api.get(reverse("api:image-list"))
    for response in (one, listing):
        assert response.status_code == 200
        assert not shows_the_place(response.content.decode())
    assert one.json()["location"] is None
    assert [i["location"] for i in listing.json()["results"]] == [None]
