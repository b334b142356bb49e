import re
import uuid
from datetime import UTC, timedelta
from datetime import timezone as fixed_zone
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.timesince import timeuntil

from .formats import allowed_formats, content_type_for
from .limits import invalid_visibility
from .metadata import (
    EARLIEST_YEAR,
    FUTURE_SLACK,
    TakenSource,
    offset_label,
    places_by_offset,
)
from .models import Album, Image, ShareLink, ShareRole, Visibility
from .selectors import (
    album_cover_choices,
    album_cover_in_trash,
    album_holds_more_than,
    albums_open_to,
    can_add_to,
    email_in_use,
    visible_images,
)
from .services.uploads import NEW_ALBUM

# In the words of the photo's page (detail.html).
VISIBILITY_HELP = (
    "Private: only you and the people you share it with (in an album or by a link)."
)


def accept_attribute():
    """Hint for the browser's file picker; the server still decodes everything."""
    return ",".join(filter(None, map(content_type_for, allowed_formats())))


# A size as people type it: 1024-based, as the site shows sizes.
SIZE_UNITS = {"": 1, "b": 1, "kb": 2**10, "mb": 2**20, "gb": 2**30, "tb": 2**40}
SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?b)?", re.IGNORECASE)


class ByteSizeField(forms.IntegerField):
    """A number of bytes, typed as such or with a unit: ``10 GB``, ``1.5 TB``."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        match = SIZE.fullmatch(str(value).strip())
        if not match:
            raise ValidationError(
                "Enter a size such as 500 MB or 10 GB, or a number of bytes.",
                code="invalid",
            )
        number, unit = match.groups()
        return int(Decimal(number) * SIZE_UNITS[(unit or "").lower()])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        # How many files one request may carry is the upload service's limit.
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


class UploadForm(forms.Form):
    images = MultipleFileField(
        label="Photos",
        help_text="Choose one or more photos (JPEG, PNG, GIF, WebP and more).",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Blank: each photo is titled after its file name.",
    )
    # Two rows, so that a phone shows the file pickers on its first screen.
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    # The page offers the account's last choice first (its view sets the
    # initial value); private until a choice is made.
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
        help_text=VISIBILITY_HELP,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["images"].widget.attrs["accept"] = accept_attribute()


class WallClockInput(forms.DateTimeInput):
    """The browser's date-and-time input, its picker bounded by the dates a
    photo may have (gallery.metadata): the server still checks them."""

    input_type = "datetime-local"

    def __init__(self):
        super().__init__(
            attrs={"min": f"{EARLIEST_YEAR}-01-01T00:00"}, format="%Y-%m-%dT%H:%M"
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        latest = timezone.now() + FUTURE_SLACK  # as of this page, not of startup
        context["widget"]["attrs"]["max"] = f"{latest:%Y-%m-%dT%H:%M}"
        return context


class WallClockField(forms.DateTimeField):
    """A date and time as the browser's date-and-time input gives it: a wall
    clock, to the minute, naive. Read in no time zone: in the site's, an
    hour that daylight saving skips or repeats would be refused, even one a
    camera wrote and the form shows back."""

    widget = WallClockInput

    def to_python(self, value):
        with timezone.override(UTC):
            moment = super().to_python(value)
        return moment and moment.replace(tzinfo=None)


def taken_at_field():
    """When a photo was taken (its edit page, and several at once)."""
    return WallClockField(label="Taken", required=False)


# The offsets from UTC that places set their clocks to, in minutes: a time
# zone as a photo's EXIF (OffsetTimeOriginal) names it.
ZONE_OFFSETS = (
    *(-60 * hours for hours in range(12, 0, -1)),
    -570,
    -210,
    -150,
    *(60 * hours for hours in range(15)),
    210,
    270,
    330,
    345,
    390,
    525,
    570,
    630,
    765,
    825,
)


def _zone_label(minutes, places):
    named = ", ".join(places[:3])
    return f"{offset_label(minutes)} — {named}" if named else offset_label(minutes)


class ImageEditForm(forms.ModelForm):
    # The date taken as a wall clock, to the minute (what the input shows),
    # and the zone it was read in: only a changed one goes to the service,
    # so saving a title leaves a camera's date, seconds and zone as they
    # were. Not in Meta.fields, so the form never writes them onto the image
    # itself.
    taken_at = taken_at_field()
    taken_zone = forms.TypedChoiceField(
        label="Time zone",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="The time zone where it was taken, as an offset from UTC. "
        "Not known: the photo is filed by the clock above alone.",
    )

    field_order = ["title", "description", "taken_at", "taken_zone", "visibility"]

    class Meta:
        model = Image
        fields = ["title", "description", "visibility"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {"visibility": VISIBILITY_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field, image = self.fields["taken_at"], self.instance
        local = image.taken_local
        if local is not None:
            self.initial["taken_at"] = local.replace(second=0, microsecond=0)
        if image.taken_guess:
            help_text = f"{image.taken_guess} Set it if you know it."
        elif image.taken_source == TakenSource.OWNER:
            help_text = "Set by you."
        else:
            help_text = "As the camera said. Change it if its clock was wrong."
        field.help_text = help_text
        offsets = set(ZONE_OFFSETS)
        if image.taken_zone_known:
            offsets.add(image.taken_offset)  # whatever its camera wrote
            self.initial["taken_zone"] = image.taken_offset
        # Named by places on each offset on the photo's date: Paris is
        # UTC+02:00 in June, UTC+01:00 in January.
        places = places_by_offset(image.taken_at or timezone.now())
        self.fields["taken_zone"].choices = [("", "Not known")] + [
            (minutes, _zone_label(minutes, places[minutes]))
            for minutes in sorted(offsets)
        ]

    def clean_taken_at(self):
        # Left out of the form (a script posting the other fields): kept.
        taken_at = self.cleaned_data["taken_at"]
        cleared = taken_at is None and self.add_prefix("taken_at") in self.data
        if cleared and self.instance.taken_at is not None:
            raise ValidationError(
                "A photo always has a date taken: change it rather than clear it.",
                code="taken_required",
            )
        return taken_at

    def clean(self):
        cleaned = super().clean()
        clock = cleaned.get("taken_at")
        zone_changed = self._changed("taken_zone")
        zone = (
            cleaned.get("taken_zone")
            if zone_changed
            else self.initial.get("taken_zone")
        )
        # A guess given its zone with the clock it shows: the owner has
        # looked at that clock and says it is right.
        confirmed = self.instance.taken_is_guess and zone_changed and zone is not None
        clock_changed = clock is not None and (
            self._changed("taken_at") or (confirmed and self._posted("taken_at"))
        )
        # The date taken to save, if its clock or zone was changed: the wall
        # clock, aware in the zone chosen, naive for "Not known".
        self.taken_change = None
        if not (clock_changed or zone_changed):
            return cleaned
        if not clock_changed and self.instance.taken_at is None:
            return cleaned  # a zone alone for a photo without a date
        if not clock_changed and self.instance.taken_is_guess and zone is not None:
            # Its clock is the site's reading of a file's or upload's date:
            # placed in another zone it would stand for another moment.
            self.add_error(
                "taken_zone",
                ValidationError(
                    "This photo's date is only a guess: set when it was taken "
                    "as well as where.",
                    code="taken_is_guess",
                ),
            )
            return cleaned
        # Only the zone changed: the photo's own clock, to the second.
        clock = clock if clock_changed else self.instance.taken_local
        self.taken_change = (
            clock
            if zone is None
            else clock.replace(tzinfo=fixed_zone(timedelta(minutes=zone)))
        )
        return cleaned

    def _changed(self, name):
        """Whether field ``name`` was posted changed: one left out of the
        form (a script posting the other fields) keeps what it was."""
        return self._posted(name) and name in self.changed_data

    def _posted(self, name):
        return self.add_prefix(name) in self.data


def email_field(**options):
    """An account's e-mail address, the same on every form that asks for it."""
    return forms.EmailField(
        **{
            "label": "E-mail address",
            "max_length": get_user_model()._meta.get_field("email").max_length,
            "help_text": "Where a link to reset a forgotten password goes. "
            "Other members never see it.",
            "widget": forms.EmailInput(attrs={"autocomplete": "email"}),
            **options,
        }
    )


def own_email(email, *, user=None):
    """``email``, unless another account than ``user`` has it: a reset mail
    for the address would go to both, so each could take the other over."""
    if email_in_use(email=email, other_than=user):
        raise ValidationError(
            "Another account already uses this address.", code="email_in_use"
        )
    return email


class SignupForm(UserCreationForm):
    # Required: without an address, a forgotten password (or a lock-out after
    # mistyping it) could only be undone by an administrator.
    email = email_field()

    class Meta(UserCreationForm.Meta):
        fields = ["username", "email"]

    def clean_email(self):
        return own_email(self.cleaned_data["email"])


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = email_field(help_text="")


def confirm_password(request, password, *, wrong):
    """Check the signed-in user's ``password`` as a sign-in would, through
    authenticate(): django-axes then counts a wrong one toward the account's
    lock-out, and a locked account takes no more guesses, so a browser left
    signed in cannot try passwords without end. ``wrong`` says what a wrong
    password left undone."""
    user = request.user
    confirmed = authenticate(request, username=user.get_username(), password=password)
    # django-axes marks the request once the account is locked, by this try
    # or an earlier one; the right password is refused too until then.
    if getattr(request, "axes_locked_out", False):
        now = timezone.now()
        wait = timeuntil(now + settings.AXES_COOLOFF_TIME, now)
        raise ValidationError(
            f"Too many wrong passwords: for {wait}, this account takes none from "
            "here, on this page or at sign-in, and each try before then starts "
            "the wait again. Forgot it? A password reset by e-mail ends the wait.",
            code="locked_out",
        )
    if confirmed is None or confirmed.pk != user.pk:
        raise ValidationError(
            f"That is not your password; {wrong}", code="password_incorrect"
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's, with the old password checked as the account pages check
    theirs: a wrong one counts toward the lock-out."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        # The words of the page's "Forgot your current password?".
        self.fields["old_password"].label = "Current password"

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        confirm_password(self.request, password, wrong="it was not changed.")
        return password


class PasswordConfirmedForm(forms.Form):
    """A step the signed-in user of ``request`` confirms with their password
    (a browser left signed in must not be enough); ``wrong`` says what a
    wrong one left undone."""

    wrong = "nothing was changed."
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        confirm_password(self.request, password, wrong=self.wrong)
        return password


class AccountEmailForm(PasswordConfirmedForm):
    """A new e-mail address for the signed-in user, confirmed with their
    password: whoever controls the address can reset the password. (The
    address then confirms itself by a mailed link.)"""

    wrong = "the address was not changed."
    field_order = ["email", "password"]
    email = email_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "password"
        ].help_text = "To change the address, confirm that it is you."

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email == self.request.user.email:
            # Nothing would change: no mail, and the person hears why.
            raise ValidationError("This is already your address.", code="unchanged")
        return own_email(email, user=self.request.user)


class AccountDeleteForm(PasswordConfirmedForm):
    """Deleting the account of the signed-in user, confirmed with their
    password."""

    wrong = "nothing was deleted."


# ---------------------------------------------------------------- browser uploader


class UploadFileForm(forms.Form):
    """One file from the browser uploader, with its own title, description
    and visibility (the page fills them from the batch or the file's row).
    ``remember`` says the visibility is the batch's choice, which the page
    then offers first next time (a file's own choice in its row is not)."""

    # An empty file reaches the service, which says so in its own words.
    file = forms.FileField(label="File", allow_empty_file=True)
    title = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False)
    # Any other value is refused as the services and the API refuse it.
    visibility = forms.CharField(required=False)
    remember = forms.BooleanField(required=False)

    def clean_visibility(self):
        visibility = self.cleaned_data["visibility"] or Visibility.PRIVATE
        if visibility not in Visibility.values:
            raise invalid_visibility()
        return visibility


# ---------------------------------------------------------------- bulk actions


class AlbumOrNewField(forms.ModelChoiceField):
    """An album by its id, or :data:`NEW_ALBUM` (as the upload page's album
    choice says it): one to make."""

    def to_python(self, value):
        return NEW_ALBUM if value == NEW_ALBUM else super().to_python(value)

    def validate(self, value):
        if value != NEW_ALBUM:
            super().validate(value)


class BulkActionForm(forms.Form):
    """Several of the user's photos and what to do with them; to take out
    of the user's own album, anyone's photos in it. Others' ids are
    refused."""

    action = forms.ChoiceField(
        choices=[
            ("public", "Make public"),
            ("private", "Make private"),
            ("delete", "Delete"),
            ("album-add", "Add to album"),
            ("album-new", "Make an album of them"),
            ("album-remove", "Remove from album"),
            ("date", "Set the date taken"),
        ]
    )
    # For "date": typed on the page that follows the choice of photos.
    taken_at = taken_at_field()
    keep_gaps = forms.BooleanField(
        required=False,
        label="Keep the time between them",
        help_text="For a camera whose clock was wrong: the first one taken gets "
        "this date and time, and every other one moves as far.",
    )
    # For the album actions: one the user may open (to add to, one they may
    # add to), or "new" to add to one made of them; any other id is "not
    # found", as the album would be to them.
    album = AlbumOrNewField(
        queryset=Album.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": "That album is not one you can change; nothing was "
            "changed."
        },
    )
    images = forms.ModelMultipleChoiceField(
        queryset=Image.objects.none(),
        error_messages={
            "required": "Select at least one photo first.",
            "invalid_choice": "Some of the selected photos are not yours or are "
            "gone; nothing was changed.",
            "invalid_pk_value": "That is not a photo id; nothing was changed.",
        },
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["images"].queryset = visible_images(owner)
        self.fields["album"].queryset = albums_open_to(viewer=owner)

    def clean(self):
        data = super().clean()
        action = data.get("action", "")
        if data.get("album") == NEW_ALBUM:
            # "New album…" among the albums, sent with whichever button: for
            # Add to album, first the new one's title; for any other, nothing.
            if action == "album-add":
                data["action"] = action = "album-new"
            data["album"] = None
        if action in ("album-add", "album-remove") and not data.get("album"):
            raise forms.ValidationError("Choose an album first.", code="no_album")
        images, album = data.get("images"), data.get("album")
        if (
            action == "album-add"
            and album is not None
            and not can_add_to(album, self.owner)
        ):
            message = self.fields["album"].error_messages["invalid_choice"]
            self.add_error("album", ValidationError(message, code="invalid_choice"))
        owns_album = album is not None and album.owner_id == self.owner.pk
        if (
            images is not None
            and not (action == "album-remove" and owns_album)
            and images.exclude(owner=self.owner).exists()
        ):
            message = self.fields["images"].error_messages["invalid_choice"]
            self.add_error("images", ValidationError(message, code="invalid_choice"))
        return data

    def images_as_listed(self):
        """The chosen images in the order their page listed them (the order of
        its boxes), for a confirmation page to show them as they were seen."""
        place = {value: n for n, value in enumerate(self.data.getlist("images"))}
        return sorted(
            self.cleaned_data["images"],
            key=lambda image: place.get(str(image.pk), len(place)),
        )


# ---------------------------------------------------------------- trash


class ImageIdsField(forms.Field):
    """Image ids sent as repeated ``images`` fields (checkboxes, or the
    hidden inputs of an Undo button)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": "That is not a photo id; nothing was changed.",
    }

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return [uuid.UUID(str(item)) for item in value]
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None


class TrashActionForm(forms.Form):
    """Photos in the trash to restore or delete for good: some, by id, or
    ``all`` of them. Ids that are not in the person's trash are not counted
    (another tab may have restored them already); which trash comes from
    the signed-in person, never from the form."""

    images = ImageIdsField(required=False)
    all = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("images") and data.get("all"):
            raise ValidationError(
                "Choose some photos or all of them, not both; nothing was changed.",
                code="ambiguous",
            )
        if not data.get("images") and not data.get("all"):
            raise ValidationError("Select at least one photo first.", code="required")
        return data


class AlbumForm(forms.ModelForm):
    class Meta:
        model = Album
        fields = ["title", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"order": "Order"}
        help_texts = {
            "order": "By the date they were taken: oldest first tells a trip "
            "or an event as it happened."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional: a post without it keeps the album's order (a new album's:
        # newest first).
        self.fields["order"].required = False


# Photos the cover picker shows: a big album's newest (and its cover).
COVER_CHOICES = 240


class AlbumEditForm(AlbumForm):
    # Chosen by looking at the photos (templates/gallery/album_edit.html).
    cover = forms.ModelChoiceField(
        queryset=Image.objects.none(),
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        blank=True,  # a radio for the empty choice too
        empty_label="The newest photo",
        help_text="The photo shown for the album in your list of albums.",
        error_messages={
            "invalid_choice": "That photo is not in this album: choose one that is."
        },
    )

    class Meta(AlbumForm.Meta):
        fields = ["title", "description", "order", "cover"]

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        album = self.instance
        self.fields["cover"].queryset = album_cover_choices(
            viewer=viewer, album=album, limit=COVER_CHOICES
        )
        self.cover_in_trash = album_cover_in_trash(viewer=viewer, album=album)
        # Said on the page: an older photo is not offered here.
        self.cover_choices_cut = (
            COVER_CHOICES
            if album_holds_more_than(viewer=viewer, album=album, count=COVER_CHOICES)
            else None
        )


# The roles as the pages name them. The model's own labels stay the admin's
# and the API schema's words.
SHARE_ROLE_LABELS = {
    ShareRole.VIEWER: "Viewer",
    ShareRole.CONTRIBUTOR: "Contributor (may add their own photos)",
}


class AlbumShareForm(forms.Form):
    # Someone else's name: a browser's saved sign-in must not fill it in.
    username = forms.CharField(
        max_length=150,
        label="Username",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        choices=list(SHARE_ROLE_LABELS.items()), initial=ShareRole.VIEWER
    )
    allow_download = forms.BooleanField(
        required=False, label="May download the originals"
    )


class ShareLinkForm(forms.Form):
    """A new share link to the album or image of the page it is on."""

    label = forms.CharField(
        required=False,
        max_length=ShareLink._meta.get_field("label").max_length,
        help_text="Optional, for you alone: whom the link is for, to tell your "
        "links apart. Whoever opens it never sees it.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        choices=[("", "Never"), (1, "In a day"), (7, "In a week"), (30, "In a month")],
        coerce=int,
        empty_value=None,
        required=False,
        initial=7,
    )
    password = forms.CharField(
        required=False,
        # A new password for the link: a browser must not offer the owner's
        # own sign-in here (and the username beside it on the album page).
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Optional. Whoever opens the link types it once per browser.",
    )
    allow_download = forms.BooleanField(
        required=False, label="Allow downloading the originals"
    )

    def __init__(self, *args, **kwargs):
        # Ids of its own: the album page also holds the sharing form, whose
        # allow_download label would otherwise tick this box, or this one its.
        kwargs.setdefault("auto_id", "id_link_%s")
        super().__init__(*args, **kwargs)

    def full_clean(self):
        super().full_clean()
        # Back with an error: the keyboard goes to the first field at fault.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["autofocus"] = True
                break


class ShareLinkPasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label="Password")
