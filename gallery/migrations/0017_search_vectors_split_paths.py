# PostgreSQL's parser kept a path, a file or host name or an address whole
# ("2022/beach/photo_074", "beach.jpg"), a sign on a number ("DSC-0042")
# and read what looks like HTML as markup: the stored vectors now read their text with those characters made
# spaces, so that each word in them is found, as on SQLite. A generated column's expression cannot be changed in place
# before PostgreSQL 17: the columns are made again, which rewrites the image
# table once. SQLite is unchanged. The SQL is written out here as it was
# when this migration was made.

from django.db import migrations

CONFIG = "imagerepo_search"
INDEXES = {
    "search_vector": "gallery_image_search_vector",
    "title_vector": "gallery_image_title_vector",
}


def vectors(split):
    def vector(column):
        text = f"coalesce({column}, '')"
        if split:
            text = f"translate({text}, '/.@:<>&-+~', '          ')"
        return f"to_tsvector('{CONFIG}'::regconfig, {text})"

    title = vector("title")
    return {
        "search_vector": f"{title} || {vector('description')}",
        "title_vector": title,
    }


def make_columns(split):
    def make(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column, index in INDEXES.items():
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(
            "ALTER TABLE gallery_image "
            + ", ".join(f"DROP COLUMN IF EXISTS {column}" for column in INDEXES)
        )
        schema_editor.execute(
            "ALTER TABLE gallery_image "
            + ", ".join(
                f"ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({vector}) STORED"
                for column, vector in vectors(split).items()
            )
        )
        for column, index in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX {index} ON gallery_image USING gin ({column})"
            )
        # Word frequencies for the planner (gallery.search.postgres.pages).
        schema_editor.execute("ANALYZE gallery_image")

    return make


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0016_share_link_labels"),
    ]

    operations = [
        migrations.RunPython(make_columns(split=True), make_columns(split=False)),
    ]
