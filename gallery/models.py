import hashlib
import operator
import uuid
from datetime import UTC, timedelta
from datetime import timezone as fixed_zone
from functools import cached_property, reduce
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .formats import extension_for
from .metadata import TakenSource


def _sharded(folder, name):
    # Two levels of 256 sub-folders keep directories small at millions of files.
    return str(PurePosixPath(folder, name[:2], name[2:4], name))


def original_upload_to(instance, filename):
    """Name the original ``<uuid>.<ext>``; the extension comes from the detected
    format, never from the client's file name (which is ignored here)."""
    return _sharded("originals", f"{instance.id.hex}.{instance.extension}")


def rendition_upload_to(instance, filename):
    """Renditions are named by the server too: ``<uuid>-<kind>.<ext>``."""
    return _sharded("renditions", f"{instance.id.hex}-{filename}")


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


class ImageQuerySet(models.QuerySet):
    """The one place that knows who may see which image. An image in the
    trash is seen by nobody, its owner included, except through
    :meth:`trash_of` (the owner's Trash page)."""

    def live(self):
        return self.filter(trashed_at__isnull=True)

    def trashed(self):
        """Every image in anyone's trash (the admin's view; an owner's own
        trash is :meth:`trash_of`)."""
        return self.filter(trashed_at__isnull=False)

    def trashed_before(self, when):
        """Images trashed before ``when``: past the retention, what
        ``purge_trash`` removes."""
        return self.filter(trashed_at__lt=when)

    def trash_of(self, user):
        """``user``'s images in the trash."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user, trashed_at__isnull=False)

    def public(self):
        return self.filter(visibility=Visibility.PUBLIC)

    def private(self):
        return self.filter(visibility=Visibility.PRIVATE)

    def owned_by(self, user):
        """``user``'s images outside the trash: the ones they may change."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.live().filter(owner=user)

    def visible_to(self, user):
        """Public images plus the user's own. Staff get no extra reach here:
        they see everyone's images in the admin only."""
        return self.live().filter(reduce(operator.or_, _audiences(user)))

    def visible_parts(self, user):
        """``visible_to(user)`` as disjoint querysets (public; the user's
        private; others' private in the user's albums or shared with them),
        each read in newest-first order from one index. A merged page of them
        never scans: SQLite cannot walk one index for an OR of columns in
        date order (see gallery.pagination)."""
        live = self.live()
        parts = [live.filter(audience) for audience in _audiences(user, albums=False)]
        if len(parts) == 2:
            shared = self.shared_with(user)
            if shared is not None:
                parts.append(shared.filter(visibility=Visibility.PRIVATE))
        return parts

    def shared_with(self, user):
        """Other people's images in albums ``user`` owns or that are shared
        with them; None when there are none, so a page can leave the part
        out: a part that matches nothing still walks its date index to the
        end to prove it."""
        if not getattr(user, "is_authenticated", False):
            return None
        entries = AlbumImage.objects.filter(album__in=Album.objects.visible_to(user))
        # Whoever adds an image to an album owns it (album_add_images), so
        # entries added by others (still on) are the others' images: read
        # from the entries alone, since asking each image for its owner
        # costs a lookup per photo in the viewer's albums on every page.
        others = entries.exclude(added_by=user).filter(added_by__is_active=True)
        if not others.exists():
            return None
        return (
            self.live()
            .exclude(owner=user)
            .filter(owner_still_sharing(), pk__in=album_image_ids(user))
        )

    def in_album(self, album, *, viewer):
        """The images of ``album`` (an Album, or ``OuterRef`` to one in a
        subquery) that ``viewer`` sees: every live one when they may open
        the album (theirs, or shared with them: the visibility rule's third
        audience), none otherwise. Read from the album's entries:
        ``visible_to(viewer).filter(albums=album)`` means the same to whoever
        may open it, but its OR of audiences lets the database walk the
        image table's date indexes down from a page's cursor instead, past
        every image older than it whatever the album's size. A switched-off
        contributor's images are out (``owner_still_sharing``)."""
        # One filter() call: both conditions are on the same album entry.
        return self.live().filter(
            owner_still_sharing(),
            albums=album,
            albums__in=Album.objects.visible_to(viewer),
        )

    def via_link(self, link):
        """The images a share link opens: its album's or its one image.
        Beside ``visible_to`` (and ``in_album``, its album-page form), the one
        other way to see an image; the link must be checked
        (``ShareLink.is_open``) on every request."""
        live = self.live()
        if link.album_id:
            # The owner shares their own photos: a contributor's stay out.
            return live.filter(albums=link.album_id, owner_id=link.owner_id)
        return live.filter(pk=link.image_id)

    def downloadable_by(self, user):
        """Images whose original ``user`` may download: their own, and those
        in albums shared with them that allow it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.live().filter(
            Q(owner=user) | Q(pk__in=album_image_ids(user, downloads=True))
        )

    def search(self, query, *, scope="all"):
        """Images matching every word of ``query`` (a string, or terms from
        ``gallery.search.parse_terms``) in their title or description; the
        last word may be a prefix, quoted words a phrase. ``scope`` "title"
        keeps images with every word in the title, "elsewhere" the rest
        (see ``gallery.search.ranked_page``). A blank query keeps every image;
        one with no words at all (``!!!``) matches none."""
        from .search import backend_for, parse_terms

        if isinstance(query, str) and not query.strip():
            return self
        terms = parse_terms(query) if isinstance(query, str) else query
        if not terms:
            return self.none()
        return backend_for(self.db).matching(self, terms, scope)


def _audiences(user, *, albums=True):
    """Who sees what, as disjoint conditions: the one visibility rule.
    Everyone sees public images; a signed-in user also their own private
    ones, and (unless ``albums`` is false, for a caller that reads that part
    its own way) other people's private ones in their albums or albums
    shared with them."""
    public = Q(visibility=Visibility.PUBLIC)
    if not getattr(user, "is_authenticated", False):
        return [public]
    private = Q(visibility=Visibility.PRIVATE)
    audiences = [public, private & Q(owner=user)]
    if albums:
        others = ~Q(owner=user) & owner_still_sharing()
        audiences.append(private & others & Q(pk__in=album_image_ids(user)))
    return audiences


def still_sharing(path=""):
    """Whose albums, links and photos in albums still open anything: an
    account that was deleted or switched off shares nothing until it is
    restored (its shares and links are kept for then). ``path`` leads to the
    album, link or image whose ``owner`` it asks about."""
    return Q(**{f"{path}owner__is_active": True})


def owner_still_sharing():
    """``still_sharing`` of an image's owner, as a subquery by key: a join to
    the accounts would change how a database plans the visibility rule's OR
    (PostgreSQL then reads the whole image table for a search)."""
    accounts = get_user_model().objects.filter(pk=OuterRef("owner_id"))
    return Exists(accounts.filter(is_active=True))


def album_image_ids(user, *, downloads=False):
    """Ids of images (a subquery) in albums ``user`` owns or that are shared
    with them: a contributor's private image in an album is seen by the
    album's owner and its viewers, while the contributor's account is on
    (callers ask ``owner_still_sharing`` of each image, not of each entry of the
    viewer's albums here). With ``downloads``, only the album owner's own
    images in albums shared with ``user`` that allow downloading
    originals."""
    if downloads:
        # The album's owner allows downloads of their own originals only: a
        # contributor never agreed to hand theirs (and their GPS) out.
        albums = still_sharing("album__") & Q(
            album__shares__user=user,
            album__shares__allow_download=True,
            image__owner=F("album__owner"),
        )
    else:
        albums = Q(album__in=Album.objects.visible_to(user).values("pk"))
    return AlbumImage.objects.filter(albums).values("image_id")


_TAG_SALT = "gallery.Image.content_tag"


class Image(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Private unless the person says otherwise: a new account's first
    # photos never appear on the public pages by surprise.
    visibility = models.CharField(
        max_length=7, choices=Visibility.choices, default=Visibility.PRIVATE
    )

    original = models.FileField(upload_to=original_upload_to, max_length=255)
    original_filename = models.CharField(max_length=255)
    format = models.CharField(max_length=10)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    thumbnail = models.FileField(upload_to=rendition_upload_to, max_length=255)
    thumbnail_width = models.PositiveIntegerField()
    thumbnail_height = models.PositiveIntegerField()
    display = models.FileField(upload_to=rendition_upload_to, max_length=255)
    display_width = models.PositiveIntegerField()
    display_height = models.PositiveIntegerField()
    # The renditions' own SHA-256s, so that check_media --verify sees a
    # changed bit that still decodes. Empty for renditions made before they
    # were recorded: decoding is then the only check.
    thumbnail_sha256 = models.CharField(max_length=64, blank=True, default="")
    display_sha256 = models.CharField(max_length=64, blank=True, default="")

    # What the photo's metadata says (gallery.metadata). Nullable numbers and
    # text columns defaulting to "": such columns are added in place, where
    # rebuilding the table on SQLite would drop the search triggers.
    # taken_at is never empty for a stored image (ingest falls back to the
    # file's or the upload's date). It is the photo's wall clock kept as if
    # it were UTC (gallery.metadata says why): the timeline orders, heads
    # and filters by the day where it was taken.
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_offset = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text="Minutes east of UTC of the clock taken_at was read on, when "
        "known: the camera's, the owner's, or the site's for a guess.",
    )
    taken_source = models.CharField(
        max_length=8, blank=True, default="", choices=TakenSource.CHOICES
    )
    camera_make = models.CharField(max_length=100, blank=True, default="")
    camera_model = models.CharField(max_length=100, blank=True, default="")
    lens = models.CharField(max_length=100, blank=True, default="")
    focal_length = models.FloatField(null=True, blank=True, help_text="Millimetres.")
    f_number = models.FloatField(null=True, blank=True)
    exposure_time = models.FloatField(null=True, blank=True, help_text="Seconds.")
    iso = models.PositiveIntegerField(null=True, blank=True)
    # Where it was taken: its owner's alone (see gallery.selectors).
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set while the image sits in its owner's trash: seen by nobody else,
    # kept with its files until restored or purged.
    trashed_at = models.DateTimeField(null=True, blank=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "sha256"], name="gallery_image_unique_owner_sha256"
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="gallery_image_newest"),
            models.Index(
                fields=["visibility", "-created_at", "-id"],
                name="gallery_image_vis_newest",
            ),
            models.Index(
                fields=["owner", "-created_at", "-id"], name="gallery_image_own_newest"
            ),
            # "Private" for a signed-in user: their private images, newest first.
            models.Index(
                fields=["owner", "visibility", "-created_at", "-id"],
                name="gallery_image_own_vis_newest",
            ),
            # The same four for the timeline, newest taken first.
            models.Index(fields=["-taken_at", "-id"], name="gallery_image_taken"),
            models.Index(
                fields=["visibility", "-taken_at", "-id"],
                name="gallery_image_vis_taken",
            ),
            models.Index(
                fields=["owner", "-taken_at", "-id"], name="gallery_image_own_taken"
            ),
            models.Index(
                fields=["owner", "visibility", "-taken_at", "-id"],
                name="gallery_image_own_vis_taken",
            ),
            # The trash, small beside the library: an owner's Trash page,
            # latest first, and what purge_trash finds past the retention.
            models.Index(
                fields=["owner", "-trashed_at", "-id"],
                condition=Q(trashed_at__isnull=False),
                name="gallery_image_trash",
            ),
            models.Index(
                fields=["trashed_at"],
                condition=Q(trashed_at__isnull=False),
                name="gallery_image_trash_age",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("gallery:detail", args=[self.pk])

    @property
    def is_private(self):
        return self.visibility == Visibility.PRIVATE

    @property
    def in_trash(self):
        return self.trashed_at is not None

    @property
    def purge_at(self):
        """When an image in the trash may be deleted for good (``purge_trash``
        takes it on its first run after that); None outside the trash."""
        if self.trashed_at is None:
            return None
        return self.trashed_at + timedelta(days=settings.IMAGEREPO_TRASH_DAYS)

    @property
    def taken_local(self):
        """The date taken as its wall clock, naive, so templates show it as
        is (see taken_at)."""
        if self.taken_at is None:
            return None
        return self.taken_at.astimezone(UTC).replace(tzinfo=None)

    @property
    def taken_moment(self):
        """When the photo was taken, aware, in its own zone when known; else
        the wall clock as if it were UTC."""
        if self.taken_at is None or self.taken_offset is None:
            return self.taken_at
        zone = fixed_zone(timedelta(minutes=self.taken_offset))
        return self.taken_at.astimezone(UTC).replace(tzinfo=zone)

    @property
    def taken_zone_known(self):
        """Whether the photo (or its owner) said in which zone it was taken:
        a guess's zone is only the site's."""
        return self.taken_offset is not None and not self.taken_is_guess

    @property
    def timeline_month(self):
        """The month the timeline files the image under: that of its wall
        clock, as the order, the year jump and a month search read it."""
        if self.taken_at is None:
            return None
        return self.taken_local.date().replace(day=1)

    @property
    def taken_is_guess(self):
        return self.taken_source not in TakenSource.KNOWN

    @property
    def taken_guess(self):
        """What a guessed date taken is, in the words of the photo's page and
        its edit form; None for one the camera or the owner gave."""
        if self.taken_source == TakenSource.FILE:
            return "A guess: the file's date; the photo carries none."
        if self.taken_is_guess:
            return "A guess: when it was uploaded; the photo carries no date."
        return None

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def extension(self):
        return extension_for(self.format)

    @cached_property
    def content_tag(self):
        """Stands for this image's bytes in ETags and rendition URLs. Keyed
        with SECRET_KEY and the image's id: the bare SHA-256 would let anyone
        who sees a public image confirm which exact file its owner uploaded,
        and two images with the same bytes would share it."""
        message = f"{self.pk}:{self.sha256}"
        return salted_hmac(_TAG_SALT, message, algorithm="sha256").hexdigest()[:20]

    @property
    def rendition_version(self):
        """Part of every rendition URL; it changes with the bytes and with the
        visibility, so a browser may keep a public rendition for long and a
        switch to private never reuses that URL (see gallery.delivery). The
        trash changes it too: the owner's Trash page never reuses a public
        URL a browser may keep."""
        state = "tr" if self.in_trash else self.visibility[:2]
        return f"{self.content_tag[:12]}{state}"

    def file_url(self, kind):
        url = reverse(f"gallery:{kind}", args=[self.pk])
        return url if kind == "original" else f"{url}?v={self.rendition_version}"

    @property
    def thumbnail_url(self):
        return self.file_url("thumbnail")

    @property
    def display_url(self):
        return self.file_url("display")

    @property
    def original_url(self):
        return self.file_url("original")

    def stored_files(self):
        """Names of every file this image owns in storage."""
        return [f.name for f in (self.original, self.thumbnail, self.display) if f]


class Account(models.Model):
    """What imagerepo keeps about an account beyond django.contrib.auth's
    user: its limits, what it stores and its last upload choice. Made when
    first needed (``Account.of``), so accounts made any way have one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account",
    )
    quota_bytes = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="Most bytes this account may store; empty: the site's default.",
    )
    quota_images = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Most images this account may store; empty: the site's default.",
    )
    # What the account stores, trash included (only purging frees space).
    # Kept as counters so that a check and its update are one atomic
    # statement (gallery.services.quotas): parallel uploads cannot overshoot.
    bytes_stored = models.PositiveBigIntegerField(default=0)
    images_stored = models.PositiveIntegerField(default=0)
    upload_visibility = models.CharField(
        max_length=7,
        choices=Visibility.choices,
        default=Visibility.PRIVATE,
        help_text="What the upload page offers first: the last choice made.",
    )
    # Set when the person deletes their account: it can no longer sign in,
    # its images wait in the trash and purge_trash removes both.
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"account of {self.user}"

    @classmethod
    def of(cls, user):
        return cls.objects.get_or_create(user=user)[0]

    @property
    def byte_limit(self):
        """The most bytes it may store, or None for no limit."""
        if self.quota_bytes is not None:
            return self.quota_bytes
        return settings.IMAGEREPO_QUOTA_BYTES

    @property
    def image_limit(self):
        """The most images it may store, or None for no limit."""
        if self.quota_images is not None:
            return self.quota_images
        return settings.IMAGEREPO_QUOTA_IMAGES


class OrphanedFile(models.Model):
    """A stored file whose row is gone, waiting to be deleted. Written in the
    same transaction that deletes the row, so a crash between the commit and
    the file deletion leaves a name to finish, never a file nobody knows."""

    name = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class UploadCount(models.Model):
    """Files one user has uploaded in one hourly window: the counter behind
    IMAGEREPO_UPLOADS_PER_HOUR (gallery.services.allowance). In the database, so
    every server process shares it and an update is atomic, with no cache
    server to run and no other keys that could crowd it out."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    window = models.PositiveBigIntegerField(help_text="Hours since the epoch.")
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "window"], name="gallery_uploadcount_unique_window"
            ),
        ]

    def __str__(self):
        return f"{self.used} uploads by user {self.user_id} in hour {self.window}"


class AlbumQuerySet(models.QuerySet):
    def owned_by(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)

    def shared_with(self, user):
        """Others' albums shared with ``user``: not those of an account that
        was deleted (or switched off), whose owner no longer shares anything."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(still_sharing(), shares__user=user)

    def visible_to(self, user):
        """The albums ``user`` may open: their own and those shared with them."""
        return self._own_or_shared(user)

    def addable_by(self, user):
        """The albums ``user`` may add images to: their own, and those shared
        with them as a contributor."""
        return self._own_or_shared(user, role=ShareRole.CONTRIBUTOR)

    def _own_or_shared(self, user, **share):
        """``user``'s albums or those shared with them (as ``share`` says),
        each side read from its own index (owner; share's user). Written as
        a join instead (``owner=user | shares__user=user``), the OR spans two
        tables, no index answers it, and the database reads every album and,
        under the visibility rule, every album entry of the library."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        shares = AlbumShare.objects.filter(
            still_sharing("album__"), user=user, **share
        ).values("album_id")
        return self.filter(Q(owner=user) | Q(pk__in=shares))


class AlbumOrder(models.TextChoices):
    NEWEST = "newest", "Newest first"
    OLDEST = "oldest", "Oldest first"


class Album(models.Model):
    """Images an owner put together. Deleting an album never deletes its
    images; an image may be in many albums."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="albums"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cover = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    images = models.ManyToManyField(Image, through="AlbumImage", related_name="albums")
    # A trip or a wedding reads as a story, oldest first; a catch-all album
    # as the gallery does.
    order = models.CharField(
        max_length=6, choices=AlbumOrder.choices, default=AlbumOrder.NEWEST
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlbumQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            # import_images --album NAME finds an album by its title.
            models.UniqueConstraint(
                fields=["owner", "title"], name="gallery_album_unique_owner_title"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("gallery:album", args=[self.pk])

    @property
    def oldest_first(self):
        return self.order == AlbumOrder.OLDEST


class AlbumImage(models.Model):
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="entries")
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="+")
    # A contributor may add their own images to someone else's album. Always
    # the image's owner (ImageQuerySet.shared_with relies on it).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["album", "image"], name="gallery_albumimage_unique"
            ),
        ]
        indexes = [models.Index(fields=["image"], name="gallery_albumimage_image")]

    def __str__(self):
        return f"image {self.image_id} in album {self.album_id}"


class ShareRole(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    CONTRIBUTOR = "contributor", "Contributor (may add their own images)"


class AlbumShare(models.Model):
    """An album shared with another account."""

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="album_shares"
    )
    role = models.CharField(
        max_length=11, choices=ShareRole.choices, default=ShareRole.VIEWER
    )
    allow_download = models.BooleanField(
        default=False, help_text="May download the originals."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["album", "user"], name="gallery_albumshare_unique"
            ),
        ]

    def __str__(self):
        return f"{self.album} shared with {self.user}"


class ShareLink(models.Model):
    """An address that opens one album or one image to whoever holds it.
    Only a hash of its token is kept: the address itself is shown to its
    owner once. A password, when set, is hashed like an account's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links"
    )
    album = models.ForeignKey(
        Album, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    label = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="Its owner's note of whom it is for; never shown to whoever "
        "opens it.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    password = models.CharField(max_length=128, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    allow_download = models.BooleanField(
        default=False, help_text="Whoever holds the link may download the originals."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(album__isnull=False, image__isnull=True)
                | Q(album__isnull=True, image__isnull=False),
                name="gallery_sharelink_album_or_image",
            ),
        ]

    def __str__(self):
        return f"link to {self.album or self.image}"

    @staticmethod
    def hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    def is_open(self, now):
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > now
        )

    @property
    def has_password(self):
        return bool(self.password)

    @property
    def state(self):
        """open, expired or revoked: what its owner is told of it."""
        if self.revoked_at is not None:
            return "revoked"
        return "open" if self.is_open(timezone.now()) else "expired"
