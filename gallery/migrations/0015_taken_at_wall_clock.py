"""The date taken becomes the photo's wall clock, kept as if it were UTC, so
the timeline orders, heads and filters photos by the day where they were
taken (a New Year's Eve photo taken at 20:00 in New York was filed under the
next year).

A date with a known zone moves by its offset. A guess (a file's or an
upload's date, a true moment) is read on the site's clock, whose offset it
keeps. A camera's or an owner's date without a zone already is a wall clock.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q

# The sources whose date is a moment, not a wall clock: a file's, an
# upload's, and an image not read yet (its upload date stands in).
GUESSES = Q(taken_source__in=["file", "upload", ""])
BATCH = 2000


def to_wall_clock(apps, schema_editor):
    Image = apps.get_model("gallery", "Image")
    _shift(Image, +1)
    guesses = Image.objects.filter(GUESSES, taken_offset=None, taken_at__isnull=False)
    if settings.TIME_ZONE == "UTC":
        guesses.update(taken_offset=0)
        return
    zone = ZoneInfo(settings.TIME_ZONE)
    # Each leaves the filter once dated, so the loop ends.
    while batch := list(guesses.only("pk", "taken_at")[:BATCH]):
        for image in batch:
            try:
                offset = image.taken_at.astimezone(zone).utcoffset()
                image.taken_at += offset
            except OverflowError:  # a file dated year 1 or 9999: left as is
                offset = timedelta(0)
            image.taken_offset = int(offset.total_seconds() // 60)
        Image.objects.bulk_update(batch, ["taken_at", "taken_offset"])


def to_moment(apps, schema_editor):
    Image = apps.get_model("gallery", "Image")
    _shift(Image, -1)
    Image.objects.filter(GUESSES).update(taken_offset=None)


def _shift(Image, sign):
    """Every date with a known offset moved by it: one statement an offset."""
    offsets = (
        Image.objects.exclude(taken_offset=None)
        .exclude(taken_offset=0)
        .values_list("taken_offset", flat=True)
        .order_by()
        .distinct()
    )
    for offset in list(offsets):
        Image.objects.filter(taken_offset=offset).update(
            taken_at=F("taken_at") + timedelta(minutes=sign * offset)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0014_taken_set_by_owner"),
    ]

    operations = [
        migrations.AlterField(
            model_name="image",
            name="taken_offset",
            field=models.SmallIntegerField(
                blank=True,
                help_text="Minutes east of UTC of the clock taken_at was read on, "
                "when known: the camera's, the owner's, or the site's for a guess.",
                null=True,
            ),
        ),
        migrations.RunPython(to_wall_clock, to_moment),
    ]
