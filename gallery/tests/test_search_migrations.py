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
def test_on_postgresql_back_is_the_text_index_and_forward_the_vectors(
    user, bulk_images
):
    assert search_schema() == ({"search_vector", "title_vector"}, VECTOR_INDEXES)
    migrate_to(BEFORE)
    try:
        assert search_schema() == (set(), {TEXT_INDEX})
        # Images stored before the migration are found after it.
        bulk_images(user, [("Zeppelin at dawn", "over Łódź"), ("Harbour", "boats")])
    finally:
        migrate_to_latest()
    assert search_schema() == ({"search_vector", "title_vector"}, VECTOR_INDEXES)
    found = Image.objects.search("lodz zeppelin", scope="title")
    assert list(found.values_list("title", flat=True)) == []
    found = Image.objects.search("lodz zeppelin")
    assert list(found.values_list("title", flat=True)) == ["Zeppelin at dawn"]
