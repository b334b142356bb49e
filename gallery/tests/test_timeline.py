"""The gallery as a timeline: newest taken first, by month, a year jump,
Newer and Older, upload order on request; dates in a search."""

import re
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse

from gallery.models import Image
from gallery.search.dates import date_readings
from gallery.selectors import image_neighbours
from gallery.services.uploads import upload_image

from .images import image_bytes, noisy_jpeg, upload
from .test_metadata import camera_exif

pytestmark = pytest.mark.django_db


def split_dates(query):
    """The most precise reading of a date in ``query``, or none."""
    return (date_readings(query) or [(query, None, None)])[0]


def at(year, month=6, day=15):
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def trips(user, bulk_images):
    """Photos uploaded in one order and taken in another: the honeymoon
    (2015) uploaded after the 2019 holiday, both after an old scan (1999)."""
    titles = {}
    for title, taken in [
        ("Scan of grandma", at(1999, 2)),
        ("Holiday", at(2019, 3)),
        ("Honeymoon", at(2015, 6)),
        ("Honeymoon dinner", at(2015, 6, 20)),
    ]:
        (titles[title],) = bulk_images(user, [title], taken_at=taken)
    return titles


def titles_on(response):
    return re.findall(r'data-title="([^"]+)"', response.content.decode())


def test_the_gallery_shows_photos_in_the_order_they_were_taken(client, trips):
    response = client.get(reverse("gallery:index"))
    assert titles_on(response) == [
        "Holiday",
        "Honeymoon dinner",
        "Honeymoon",
        "Scan of grandma",
    ]
    headings = re.findall(
        r'<h2 class="h6 mb-0">([^<]+)</h2>', response.content.decode()
    )
    assert headings == ["March 2019", "June 2015", "February 1999"]


def test_upload_order_is_a_switch_away(client, trips):
    response = client.get(reverse("gallery:index") + "?order=uploaded")
    assert titles_on(response) == [
        "Honeymoon dinner",
        "Honeymoon",
        "Holiday",
        "Scan of grandma",
    ]
    assert "June 2015</h2>" not in response.content.decode()  # no month headings


def test_the_year_jump_lists_the_years_and_lands_in_one(client, trips, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    first = client.get(reverse("gallery:index")).content.decode()
    assert years_offered(first) == [str(y) for y in range(2019, 1998, -1)]

    jumped = client.get(reverse("gallery:index") + "?year=2015")
    assert titles_on(jumped) == ["Honeymoon dinner", "Honeymoon"]
    page = jumped.content.decode()
    newer = re.search(r'rel="prev"\s+href="\?([^"]+)"', page)[1].replace("&amp;", "&")
    assert titles_on(client.get(reverse("gallery:index") + "?" + newer)) == [
        "Holiday",
        "Honeymoon dinner",
    ]
    # A year with no photos lands on the next older ones.
    assert titles_on(client.get(reverse("gallery:index") + "?year=2010")) == [
        "Scan of grandma"
    ]


@pytest.mark.parametrize("year", ["²", "２０１５", "-1", "0", "99999", "2015.0", " "])
def test_a_year_that_is_no_year_shows_the_first_page(client, trips, year):
    response = client.get(reverse("gallery:index"), {"year": year})
    assert response.status_code == 200
    assert titles_on(response) == titles_on(client.get(reverse("gallery:index")))


def years_offered(page):
    return re.findall(r'<option value="(\d+)"', page)


def test_the_year_jump_spans_the_viewers_photos_and_says_when_a_year_is_empty(
    client_for, user, other_user, bulk_images
):
    bulk_images(user, ["Garden"], taken_at=at(2023, 1, 1))
    bulk_images(user, ["Snow"], taken_at=at(2021, 12, 31))
    bulk_images(user, ["Kept to myself"], taken_at=at(2024), visibility="private")
    bulk_images(other_user, ["Their secret"], taken_at=at(2016), visibility="private")
    bulk_images(other_user, ["Their beach"], taken_at=at(2019))
    gallery = reverse("gallery:index")
    # From the newest to the oldest photo each may see: others' private
    # photos never widen it.
    theirs = client_for(other_user).get(gallery).content.decode()
    assert years_offered(theirs) == [str(y) for y in range(2023, 2015, -1)]
    mine = client_for(user).get(gallery).content.decode()
    assert years_offered(mine) == [str(y) for y in range(2024, 2018, -1)]
    only_mine = client_for(user).get(gallery + "?show=mine").content.decode()
    assert years_offered(only_mine) == ["2024", "2023", "2022", "2021"]

    empty = client_for(user).get(gallery + "?year=2022")
    assert titles_on(empty)[0] == "Snow"
    assert "No photos from 2022: these are the next older ones." in (
        empty.content.decode()
    )
    full = client_for(user).get(gallery + "?year=2021").content.decode()
    assert "No photos from" not in full
    # A search ranks its results: a year in the address is not a jump.
    searched = client_for(user).get(gallery + "?q=garden&year=2030").content.decode()
    assert "Garden" in searched and "No photos from" not in searched


def test_a_jump_past_the_oldest_photo_says_so(client, trips):
    gallery = reverse("gallery:index")
    before = client.get(gallery, {"year": "1900"}).content.decode()
    assert "No photos taken in 1900 or earlier." in before
    assert "No photos here yet" not in before
    # The year kept while switching to upload order: all were uploaded now.
    uploaded = client.get(gallery, {"year": "2019", "order": "uploaded"})
    assert "No photos uploaded in 2019 or earlier." in uploaded.content.decode()
    assert 'href="?show=all&amp;order=uploaded">See the newest' in (
        uploaded.content.decode()
    )


def test_a_search_for_a_date_without_photos_is_not_told_to_type_words(client, trips):
    page = client.get(reverse("gallery:index"), {"q": "june 2030"}).content.decode()
    assert "No photos match “june 2030”." in page
    assert "Search looks for words" not in page
    # Said where it looks: not in camera names, places or file names.
    assert "Search looks in titles and descriptions" in page
    page = client.get(reverse("gallery:index"), {"q": "!!!"}).content.decode()
    assert "Search looks for words" in page
    assert "Search looks in titles" not in page


def test_older_then_newer_walks_back_to_the_same_pages(
    client, user, bulk_images, settings
):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 3
    for n in range(10):
        bulk_images(user, [f"Photo {n}"], taken_at=at(2000 + n))
    url = reverse("gallery:index")
    pages, response = [], client.get(url)
    while True:
        pages.append(titles_on(response))
        older = re.search(r'rel="next"\s+href="\?([^"]+)"', response.content.decode())
        if not older:
            break
        response = client.get(url + "?" + older[1].replace("&amp;", "&"))
    assert [t for page in pages for t in page] == [
        f"Photo {n}" for n in range(9, -1, -1)
    ]
    back = []
    while newer := re.search(
        r'rel="prev"\s+href="\?([^"]+)"', response.content.decode()
    ):
        response = client.get(url + "?" + newer[1].replace("&amp;", "&"))
        back.append(titles_on(response))
    assert back == pages[-2::-1]
    assert "« Newest" not in response.content.decode()  # back at the top


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2015", ["Honeymoon dinner", "Honeymoon"]),
        ("june 2015", ["Honeymoon dinner", "Honeymoon"]),
        ("Feb 1999", ["Scan of grandma"]),
        ("honeymoon 2015", ["Honeymoon dinner", "Honeymoon"]),
        ("dinner june 2015", ["Honeymoon dinner"]),
        ("honeymoon 2019", []),
        ("march 2015", []),
        ("2015-06", ["Honeymoon dinner", "Honeymoon"]),
        ("06/2015", ["Honeymoon dinner", "Honeymoon"]),
        ("6/2015", ["Honeymoon dinner", "Honeymoon"]),
        ("dinner 2015-6", ["Honeymoon dinner"]),
        ("1999-02", ["Scan of grandma"]),
        ("2015-03", []),
    ],
)
def test_a_search_may_name_a_year_or_a_month(client, trips, query, expected):
    response = client.get(reverse("gallery:index"), {"q": query})
    assert response.status_code == 200
    assert sorted(titles_on(response)) == sorted(expected)


def test_a_date_no_photo_was_taken_in_is_searched_for_as_words(
    client, user, trips, bulk_images
):
    # Old prints are scanned years later and titled with their year.
    bulk_images(user, ["Christmas 1987 at grandma's"], taken_at=at(2019, 11))
    bulk_images(user, ["Christmas tree"], taken_at=at(2019, 12))
    gallery = reverse("gallery:index")

    def found(query):
        response = client.get(gallery, {"q": query})
        return sorted(titles_on(response)), response.context["total"]

    assert found("christmas 1987") == (["Christmas 1987 at grandma&#x27;s"], 1)
    assert found("1987") == (["Christmas 1987 at grandma&#x27;s"], 1)
    assert found("december 1987") == ([], 0)
    # A date photos were taken in keeps them, the words the rest.
    assert found("christmas 2019") == (
        ["Christmas 1987 at grandma&#x27;s", "Christmas tree"],
        2,
    )
    assert found("christmas dec 2019") == (["Christmas tree"], 1)
    api = client_for_api(user)
    listed = api.get(reverse("api:image-list"), {"q": "christmas 1987"}).json()
    assert [image["title"] for image in listed["results"]] == [
        "Christmas 1987 at grandma's"
    ]


def test_a_date_in_a_search_is_read_once_for_the_page_and_its_count(
    client, user, trips
):
    import gallery.selectors

    with mock.patch.object(
        gallery.selectors, "_any_match", wraps=gallery.selectors._any_match
    ) as probe:
        response = client.get(reverse("gallery:index"), {"q": "honeymoon 2015"})
    assert sorted(titles_on(response)) == ["Honeymoon", "Honeymoon dinner"]
    assert response.context["total"] == 2
    assert probe.call_count == 1


def client_for_api(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_search_naming_a_date_is_not_jumped_through_by_year(client, trips):
    # A ?year= from a bookmark or an edited address: the search's photos
    # and their count, not a jump back to 2010 that finds none of them.
    query = {"q": "june 2015", "year": "2010"}
    response = client.get(reverse("gallery:index"), query)
    assert sorted(titles_on(response)) == ["Honeymoon", "Honeymoon dinner"]
    assert response.context["total"] == 2


def first_of(year, month):
    return datetime(year, month, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "words", "dates"),
    [
        ("2019-07", "", (first_of(2019, 7), first_of(2019, 8))),
        ("07/2019 beach", "beach", (first_of(2019, 7), first_of(2019, 8))),
        ("beach 7/2019", "beach", (first_of(2019, 7), first_of(2019, 8))),
        ("2019-12", "", (first_of(2019, 12), first_of(2020, 1))),
        ("2019-13", "2019-13", (None, None)),
        ("13/2019", "13/2019", (None, None)),
        ("0/2019", "0/2019", (None, None)),
        ("07/1200", "07/1200", (None, None)),
    ],
)
def test_a_numbered_month_is_a_date_and_a_wrong_one_stays_a_word(query, words, dates):
    assert split_dates(query) == (words, *dates)


def day(year, month, number):
    start = datetime(year, month, number, tzinfo=UTC)
    return start, start + timedelta(days=1)


@pytest.mark.parametrize(
    ("query", "words", "dates"),
    [
        ("15 june 2019", "", day(2019, 6, 15)),
        ("june 15 2019", "", day(2019, 6, 15)),
        ("beach June 15, 2019", "beach", day(2019, 6, 15)),
        ("1st jan 2020 party", "party", day(2020, 1, 1)),
        ("2019-06-15", "", day(2019, 6, 15)),
        ("29 feb 2020", "", day(2020, 2, 29)),
        ("30 feb 2019", "30", (first_of(2019, 2), first_of(2019, 3))),
        ("top 40 june 2019", "top 40", (first_of(2019, 6), first_of(2019, 7))),
        ("2019-02-30", "2019-02-30", (None, None)),
        ("2019-00", "2019-00", (None, None)),
        ("0 june 2019", "0", (first_of(2019, 6), first_of(2019, 7))),
    ],
)
def test_a_day_is_a_date_and_one_no_calendar_has_leaves_its_number_a_word(
    query, words, dates
):
    assert split_dates(query) == (words, *dates)


def test_a_search_for_a_day_finds_the_photos_of_that_day(client, trips):
    response = client.get(reverse("gallery:index"), {"q": "20 june 2015"})
    assert titles_on(response) == ["Honeymoon dinner"]


def test_a_number_before_a_month_is_a_day_or_else_a_word(client, user, bulk_images):
    bulk_images(user, ["Room 12 at the inn"], taken_at=at(2019, 6, 3))
    response = client.get(reverse("gallery:index"), {"q": "room 12 june 2019"})
    assert titles_on(response) == ["Room 12 at the inn"]  # no photo on 12 June


def test_the_apis_other_filters_narrow_the_reading_of_a_date(
    user, other_user, bulk_images
):
    bulk_images(user, ["Christmas dinner"], taken_at=at(1987, 12, 25))
    bulk_images(other_user, ["Christmas 1987 scan"], taken_at=at(2019, 3))
    api = client_for_api(user)

    def titles(**params):
        response = api.get(reverse("api:image-list"), {"q": "christmas 1987", **params})
        return [image["title"] for image in response.json()["results"]]

    assert titles() == ["Christmas dinner"]
    # Taken in 1987, Bob has no Christmas: his scan names the year.
    assert titles(owner="bob") == ["Christmas 1987 scan"]
    assert titles(taken_after="2000-01-01") == ["Christmas 1987 scan"]


@pytest.mark.parametrize(
    "params", ["?year=abc", "?year=-5", "?year=99999", "?order=sideways", "?before=xyz"]
)
def test_odd_timeline_parameters_show_a_page_not_an_error(client, trips, params):
    response = client.get(reverse("gallery:index") + params)
    assert response.status_code == 200
    assert len(titles_on(response)) == 4


def test_a_cursor_of_the_other_order_starts_over(client, trips, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    page = client.get(reverse("gallery:index") + "?order=uploaded").content.decode()
    cursor = re.search(r"after=([\w-]+)", page)[1]
    response = client.get(reverse("gallery:index"), {"order": "taken", "after": cursor})
    assert titles_on(response) == ["Holiday", "Honeymoon dinner"]


def test_the_detail_pages_step_through_the_timeline(user, trips):
    newer, older = image_neighbours(viewer=user, image=trips["Honeymoon"])
    assert (newer.title, older.title) == ("Honeymoon dinner", "Scan of grandma")


def test_the_api_orders_and_filters_by_date_taken(user, trips):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    url = reverse("api:image-list")

    def titles(**params):
        response = api.get(url, params)
        assert response.status_code == 200, response.content
        return [image["title"] for image in response.json()["results"]]

    assert titles() == ["Holiday", "Honeymoon dinner", "Honeymoon", "Scan of grandma"]
    assert titles(ordering="uploaded")[0] == "Honeymoon dinner"
    assert titles(taken_after="2015-01-01", taken_before="2016-01-01") == [
        "Honeymoon dinner",
        "Honeymoon",
    ]
    assert titles(taken_before="2000-01-01T00:00:00") == ["Scan of grandma"]
    # A zone has no meaning here: each photo was taken in its own.
    zoned = api.get(url, {"taken_before": "2000-01-01T00:00:00Z"})
    assert zoned.status_code == 400
    assert zoned.json()["field"] == "taken_before"
    assert "without a zone" in zoned.json()["message"]
    bad = api.get(url, {"ordering": "sideways", "taken_after": "soon"})
    assert bad.status_code == 400
    assert bad.json()["field"] in ("ordering", "taken_after")
    one = api.get(reverse("api:image-detail", args=[trips["Holiday"].pk])).json()
    assert one["taken_at"] == "2019-03-15T12:00:00Z"
    assert Image.objects.count() == 4


def test_headings_follow_the_order_across_time_zones(client, user, bulk_images):
    # Dates as their clocks showed them: 00:30 on New Year's Day in UTC+2
    # (22:30 UTC the day before) is New Year's Day, between two photos from
    # a camera that gave no zone.
    for title, taken, offset in [
        ("Fireworks", datetime(2020, 1, 1, 1, 0, tzinfo=UTC), None),
        ("Party", datetime(2019, 12, 31, 23, 0, tzinfo=UTC), None),
        ("Athens", datetime(2020, 1, 1, 0, 30, tzinfo=UTC), 120),
    ]:
        bulk_images(user, [title], taken_at=taken, taken_offset=offset)
    page = client.get(reverse("gallery:index")).content.decode()
    headings = re.findall(r'<h2 class="h6 mb-0">([^<]+)</h2>', page)
    assert headings == ["January 2020", "December 2019"]
    assert titles_on(client.get(reverse("gallery:index"))) == [
        "Fireworks",
        "Athens",
        "Party",
    ]


@pytest.fixture
def new_year(user):
    """Two cameras that said their zones: New Year's Day just begun in
    Tokyo (still 31 December in UTC), New Year's Eve in New York (already
    1 January in UTC)."""
    photos = {}
    for title, original, offset in [
        ("Tokyo", "2023:01:01 00:05:00", "+09:00"),
        ("New York", "2022:12:31 20:00:00", "-05:00"),
    ]:
        exif = camera_exif(original=original, offset=offset)
        photos[title] = upload_image(
            owner=user,
            file=upload(f"{title}.jpg", image_bytes("JPEG", exif=exif)),
            visibility="public",
        ).image
    return photos


def test_a_photo_is_filed_by_the_day_where_it_was_taken(client, new_year):
    page = client.get(reverse("gallery:index")).content.decode()
    assert re.findall(r'<h2 class="h6 mb-0">([^<]+)</h2>', page) == [
        "January 2023",
        "December 2022",
    ]
    assert titles_on(client.get(reverse("gallery:index"))) == ["Tokyo", "New York"]
    for year, title in [(2023, "Tokyo"), (2022, "New York")]:
        jump = client.get(reverse("gallery:index"), {"year": year})
        assert titles_on(jump)[0] == title
    for query, title in [("january 2023", "Tokyo"), ("december 2022", "New York")]:
        assert titles_on(client.get(reverse("gallery:index"), {"q": query})) == [title]
    detail = client.get(new_year["Tokyo"].get_absolute_url()).content.decode()
    assert '<time datetime="2023-01-01T00:05:00">' in detail
    assert "(UTC+09:00)" in detail


def test_the_api_gives_the_moment_and_filters_by_the_photos_clock(user, new_year):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    tokyo = api.get(reverse("api:image-detail", args=[new_year["Tokyo"].pk])).json()
    assert (tokyo["taken_at"], tokyo["taken_offset"]) == ("2022-12-31T15:05:00Z", 540)
    listed = api.get(reverse("api:image-list"), {"taken_after": "2023-01-01"}).json()
    assert [image["title"] for image in listed["results"]] == ["Tokyo"]


def test_a_guess_is_read_on_the_sites_clock(client_for, user, settings):
    settings.TIME_ZONE = "America/New_York"
    uploaded = datetime(2023, 1, 1, 2, 0, tzinfo=UTC)  # 21:00 the 31st there
    with mock.patch("django.utils.timezone.now", return_value=uploaded):
        image = upload_image(
            owner=user, file=upload("scan.jpg", noisy_jpeg(seed=3))
        ).image
    image.refresh_from_db()
    assert image.taken_is_guess
    assert image.taken_local == datetime(2022, 12, 31, 21, 0)
    assert image.timeline_month == date(2022, 12, 1)
    page = client_for(user).get(image.get_absolute_url()).content.decode()
    assert '<time datetime="2022-12-31T21:00:00">' in page
    assert "(UTC−05:00)" not in page  # the site's zone, not the photo's
