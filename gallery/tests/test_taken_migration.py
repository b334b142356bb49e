"""Migration 0015 makes dates taken wall clocks (kept as if UTC), and back:
a date with its zone moves by its offset, a guess (a true moment) is read
on the site's clock, a wall clock without a zone stays. Each test leaves the
database migrated to the latest state again."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gallery.models import Image

from .test_search_migrations import store_rows_as_of

BEFORE, AFTER = "0014_taken_set_by_owner", "0015_taken_at_wall_clock"


def migrate_to(name):
    MigrationExecutor(connection).migrate([("gallery", name)])


# (title, taken_at before, offset, source) -> (taken_at after, offset after)
ROWS = {
    ("Tokyo", datetime(2022, 12, 31, 15, 5), 540, "camera"): (
        datetime(2023, 1, 1, 0, 5),
        540,
    ),
    ("New York", datetime(2023, 1, 1, 1, 0), -300, "owner"): (
        datetime(2022, 12, 31, 20, 0),
        -300,
    ),
    ("Plain camera", datetime(2019, 5, 1, 9, 0), None, "camera"): (
        datetime(2019, 5, 1, 9, 0),
        None,
    ),
    ("London", datetime(2019, 5, 1, 9, 0), 0, "camera"): (
        datetime(2019, 5, 1, 9, 0),
        0,
    ),
}


def store_rows(owner, guesses):
    rows = [
        {
            "title": title,
            "taken_at": taken.replace(tzinfo=UTC),
            "taken_offset": offset,
            "taken_source": source,
        }
        for title, taken, offset, source in [*ROWS, *guesses]
    ]
    store_rows_as_of(BEFORE, owner, rows)


def dates():
    return {
        image.title: (image.taken_at.replace(tzinfo=None), image.taken_offset)
        for image in Image.objects.all()
    }


@pytest.mark.parametrize(
    ("zone", "guess_after"),
    [
        ("UTC", (datetime(2023, 1, 1, 2, 0), 0)),
        # 02:00 UTC on New Year's Day is 21:00 the evening before in New York.
        ("America/New_York", (datetime(2022, 12, 31, 21, 0), -300)),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_dates_become_wall_clocks_and_back(user, settings, zone, guess_after):
    settings.TIME_ZONE = zone
    guesses = {
        ("Uploaded", datetime(2023, 1, 1, 2, 0), None, "upload"): guess_after,
        ("File", datetime(2023, 1, 1, 2, 0), None, "file"): guess_after,
        ("Not read yet", datetime(2023, 1, 1, 2, 0), None, ""): guess_after,
    }
    migrate_to(BEFORE)
    try:
        store_rows(user, guesses)
        before = {
            title: (taken, offset) for title, taken, offset, _ in {**ROWS, **guesses}
        }
        migrate_to(AFTER)
        assert dates() == {key[0]: value for key, value in {**ROWS, **guesses}.items()}
        migrate_to(BEFORE)
        assert dates() == before
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("gallery"))
