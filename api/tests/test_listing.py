"""GET /api/v1/images/: filters and cursor pagination."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/images/"


def titles(response):
    return [item["title"] for item in response.json()["results"]]


def test_cursor_pagination_walks_everything_once(api_for, make_image, user):
    made = [make_image(user, title=f"img {i}") for i in range(7)]
    client = api_for(user)
    seen, url, pages = [], URL + "?page_size=3", 0
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        url, pages = body["next"], pages + 1
        assert (url is None) == (body["next_cursor"] is None)
    assert pages == 3
    assert seen == [str(image.pk) for image in reversed(made)]


def test_next_link_keeps_the_filters(api_for, make_image, user):
    for i in range(3):
        make_image(user, title=f"boat {i}")
    make_image(user, title="car")
    body = api_for(user).get(URL, {"q": "boat", "page_size": 2}).json()
    assert body["next"].startswith("http://testserver/api/v1/images/?")
    assert "q=boat" in body["next"]
    rest = api_for(user).get(body["next"]).json()
    assert titles_of(rest) == ["boat 0"]


def titles_of(body):
    return [item["title"] for item in body["results"]]


def test_page_size_is_capped(api_for, make_image, user, settings):
    settings.IMAGEREPO_API_MAX_PAGE_SIZE = 2
    for _ in range(3):
        make_image(user)
    body = api_for(user).get(URL, {"page_size": 500}).json()
    assert len(body["results"]) == 2


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"cursor": "garbage!"}, "invalid_cursor"),
        ({"visibility": "hidden"}, "invalid_visibility"),
        ({"page_size": 0}, "min_value"),
        ({"page_size": "many"}, "invalid"),
    ],
)
def test_bad_list_parameters(params, code, api_for, user):
    response = api_for(user).get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_search_needs_every_word(api_for, make_image, user):
    make_image(user, title="Red boat", description="harbour at dusk")
    make_image(user, title="Red car")
    assert titles(api_for(user).get(URL, {"q": "red harbour"})) == ["Red boat"]
    assert titles(api_for(user).get(URL, {"q": "  "})) == ["Red car", "Red boat"]


def test_filter_by_visibility_and_owner(api_for, make_image, user, other_user):
    make_image(user, title="mine public", visibility="public")
    make_image(user, title="mine private", visibility="private")
    make_image(other_user, title="theirs public", visibility="public")
    make_image(other_user, title="theirs private", visibility="private")
    client = api_for(user)
    assert titles(client.get(URL, {"visibility": "private"})) == ["mine private"]
    assert titles(client.get(URL, {"owner": "bob"})) == ["theirs public"]
    assert titles(client.get(URL, {"owner": "alice"})) == [
        "mine private",
        "mine public",
    ]
    assert titles(client.get(URL, {"owner": "nobody"})) == []
    assert titles(api_for(None).get(URL, {"visibility": "private"})) == []


def test_items_carry_absolute_file_urls_that_work(api_for, make_image, user):
    make_image(user)
    client = api_for(user)
    item = client.get(URL).json()["results"][0]
    assert item["owner"] == "alice"
    assert item["page_url"] == f"http://testserver/images/{item['id']}/"
    for kind in ("thumbnail", "display", "original"):
        response = client.get(item[f"{kind}_url"])
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/")


def test_search_is_ranked_like_the_gallery(api_for, make_image, user, client_for):
    make_image(user, title="Quay at noon", description="a red boat moored")
    make_image(user, title="Red boat", description="")
    make_image(user, title="Boats", description="nothing red here")
    api = titles(api_for(user).get(URL, {"q": "red boat"}))
    assert api[0] == "Red boat"  # the title match first
    page = client_for(user).get("/", {"q": "red boat"}).context["page"]
    assert api == [image.title for image in page.items]


def test_search_pages_follow_ranked_cursors(api_for, make_image, user):
    for i in range(5):
        make_image(user, title=f"lake {i}")
        make_image(user, title="shore", description=f"lake view {i}")
    client, seen, url = api_for(user), [], URL + "?q=lake&page_size=3"
    while url:
        body = client.get(url).json()
        seen += titles_of(body)
        url = body["next"]
    assert len(seen) == len(set(seen)) + 4  # five "shore" titles, all listed
    assert all(t.startswith("lake") for t in seen[:5])
    assert seen[5:] == ["shore"] * 5
