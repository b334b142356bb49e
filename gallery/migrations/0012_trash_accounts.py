"""Trash, accounts (quotas, what each stores, the upload choice), files
waiting to be deleted; uploads private unless chosen otherwise."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def count_stored(apps, schema_editor):
    """Start each owner's counters from what they store today."""
    Account = apps.get_model("gallery", "Account")
    Image = apps.get_model("gallery", "Image")
    db = schema_editor.connection.alias
    totals = (
        Image.objects.using(db)
        .order_by()
        .values("owner")
        .annotate(images=models.Count("pk"), size=models.Sum("file_size"))
    )
    Account.objects.using(db).bulk_create(
        [
            Account(
                user_id=row["owner"],
                images_stored=row["images"],
                bytes_stored=row["size"],
            )
            for row in totals
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("gallery", "0011_share_links"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Account",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="account",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "quota_bytes",
                    models.PositiveBigIntegerField(
                        blank=True,
                        help_text="Most bytes this account may store; empty: the site's default.",
                        null=True,
                    ),
                ),
                (
                    "quota_images",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Most images this account may store; empty: the site's default.",
                        null=True,
                    ),
                ),
                ("bytes_stored", models.PositiveBigIntegerField(default=0)),
                ("images_stored", models.PositiveIntegerField(default=0)),
                (
                    "upload_visibility",
                    models.CharField(
                        choices=[("public", "Public"), ("private", "Private")],
                        default="private",
                        help_text="What the upload page offers first: the last choice made.",
                        max_length=7,
                    ),
                ),
                ("deleted_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="OrphanedFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name="image",
            name="trashed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # Django keeps field defaults in Python, so the table is left as it
        # is: on SQLite an AlterField would rebuild it and drop the search
        # triggers.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="image",
                    name="visibility",
                    field=models.CharField(
                        choices=[("public", "Public"), ("private", "Private")],
                        default="private",
                        max_length=7,
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(
                condition=models.Q(("trashed_at__isnull", False)),
                fields=["owner", "-trashed_at", "-id"],
                name="gallery_image_trash",
            ),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(
                condition=models.Q(("trashed_at__isnull", False)),
                fields=["trashed_at"],
                name="gallery_image_trash_age",
            ),
        ),
        migrations.RunPython(count_stored, migrations.RunPython.noop),
    ]
