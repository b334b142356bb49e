"""Migration 0006 (stored search vectors) runs forward and back.

On PostgreSQL it swaps the GIN index on the text for two stored vector
columns with their own GIN indexes, and back; on SQLite it changes nothing.
Each test leaves the database migrated to the latest state again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gallery.models import Image

VECTORS = "0006_search_vector_columns"
BEFORE = "0005_library_version"
VECTOR_INDEXES = {"gallery_image_search_vector", "gallery_image_title_vector"}
TEXT_INDEX = "gallery_image_search"


def migrate_to(name):
    executor = MigrationExecutor(connection)
    executor.migrate([("gallery", name)])


def store_rows_as_of(name, owner, rows):
    """Image rows as the models of migration ``name`` had them (today's
    model has columns that did not exist then): each of ``rows`` a dict of
    the fields that matter to the test, the rest made up."""
    executor = MigrationExecutor(connection)
    past = executor.loader.project_state(("gallery", name)).apps
    PastImage = past.get_model("gallery", "Image")
    PastImage.objects.bulk_create(
        PastImage(
            owner_id=owner.pk,
            original=f"originals/past-{n}.jpg",
            original_filename=f"past-{n}.jpg",
            format="JPEG",
            width=40,
            height=30,
            file_size=100,
            sha256=f"{n:064d}",
            thumbnail=f"renditions/past-{n}-thumb.jpg",
            thumbnail_width=40,
            thumbnail_height=30,
            display=f"renditions/past-{n}-display.jpg",
            display_width=40,
            display_height=30,
            **fields,
        )
        for n, fields in enumerate(rows)
    )


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("gallery"))


def sqlite_schema():
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        return cursor.fetchall()


def search_schema():
    """The image table's vector columns, and its indexes that search uses."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'gallery_image' AND data_type = 'tsvector'"
        )
        columns = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'gallery_image'"
        )
        indexes = {name for (name,) in cursor.fetchall()}
    return columns, indexes & (VECTOR_INDEXES | {TEXT_INDEX})


@pytest.mark.db_vendor("sqlite")
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_migration_changes_nothing():
    migrate_to(BEFORE)
    try:
        before = sqlite_schema()
        migrate_to(VECTORS)
        assert sqlite_schema() == before
    finally:
        migrate_to_latest()


@pytest.mark.db_vendor("postgresql")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_back_is_the_text_index_and_forward_the_vectors(user):
    assert search_schema() == ({"search_vector", "title_vector"}, VECTOR_INDEXES)
    migrate_to(BEFORE)
    try:
        assert search_schema() == (set(), {TEXT_INDEX})
        # Images stored before the migration are found after it.
        store_rows_as_of(
            BEFORE,
            user,
            [
                {"title": "Zeppelin at dawn", "description": "over Łódź"},
                {"title": "Harbour", "description": "boats"},
            ],
        )
    finally:
        migrate_to_latest()
    assert search_schema() == ({"search_vector", "title_vector"}, VECTOR_INDEXES)
    found = Image.objects.search("lodz zeppelin", scope="title")
    assert list(found.values_list("title", flat=True)) == []
    found = Image.objects.search("lodz zeppelin")
    assert list(found.values_list("title", flat=True)) == ["Zeppelin at dawn"]
