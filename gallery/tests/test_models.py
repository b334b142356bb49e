import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import set_script_prefix

from gallery.models import Image

pytestmark = pytest.mark.django_db


@pytest.fixture
def images(user, other_user, make_image):
    return {
        "mine_public": make_image(user, title="Mine public", visibility="public"),
        "mine_private": make_image(user, title="Mine private", visibility="private"),
        "theirs_public": make_image(
            other_user, title="Theirs public", visibility="public"
        ),
        "theirs_private": make_image(
            other_user, title="Theirs private", visibility="private"
        ),
    }


def titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


def test_visible_to_anonymous_is_public_only(images):
    assert titles(Image.objects.visible_to(AnonymousUser())) == [
        "Mine public",
        "Theirs public",
    ]


def test_visible_to_a_user_adds_their_own_private(images, user):
    assert titles(Image.objects.visible_to(user)) == [
        "Mine private",
        "Mine public",
        "Theirs public",
    ]


def test_staff_get_no_extra_reach_outside_the_admin(images, staff_user):
    assert titles(Image.objects.visible_to(staff_user)) == [
        "Mine public",
        "Theirs public",
    ]


def test_owned_by(images, user):
    assert titles(Image.objects.owned_by(user)) == ["Mine private", "Mine public"]
    assert titles(Image.objects.owned_by(AnonymousUser())) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sunset", ["Beach sunset", "Harbour"]),
        ("SUNSET beach", ["Beach sunset"]),
        ("harbour boats", ["Harbour"]),
        ("sunset mountain", []),
        ("", ["Beach sunset", "Harbour", "Mountain"]),
        ("%", []),
        ("_", []),
    ],
)
def test_search_requires_every_word_in_title_or_description(
    user, make_image, query, expected
):
    make_image(user, title="Beach sunset", description="Warm evening")
    make_image(user, title="Harbour", description="Boats at sunset")
    make_image(user, title="Mountain", description="Snow")
    assert titles(Image.objects.search(query)) == expected


def test_image_urls_follow_the_script_prefix(user, make_image):
    # A site served under a path (a proxy's SCRIPT_NAME) links its images there.
    image = make_image(user)
    set_script_prefix("/photos/")
    try:
        assert image.get_absolute_url() == f"/photos/images/{image.pk}/"
        assert image.original_url == f"/photos/images/{image.pk}/original/"
        thumbnail = f"/photos/images/{image.pk}/thumbnail/?v={image.rendition_version}"
        assert image.thumbnail_url == thumbnail
    finally:
        set_script_prefix("/")
    assert image.get_absolute_url() == f"/images/{image.pk}/"
