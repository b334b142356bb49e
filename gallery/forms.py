import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError

from .limits import too_many_files
from .models import Image, Visibility
from .services.formats import allowed_formats, content_type_for

VISIBILITY_HELP = "Private images are seen, searched and downloaded by you alone."


def accept_attribute():
    """Hint for the browser's file picker; the server still decodes everything."""
    return ",".join(filter(None, map(content_type_for, allowed_formats())))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > settings.IMAGEREPO_MAX_FILES_PER_REQUEST:
            raise too_many_files(len(files))
        return files


class UploadForm(forms.Form):
    images = MultipleFileField(
        label="Images",
        help_text="Choose one or more images (JPEG, PNG, GIF, WebP and more).",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Used when you send one file; otherwise each image is titled "
        "after its file name.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
        help_text=VISIBILITY_HELP,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["images"].widget.attrs["accept"] = accept_attribute()


class ImageEditForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["title", "description", "visibility"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {"visibility": VISIBILITY_HELP}


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ["username"]


# ---------------------------------------------------------------- browser uploader


class UploadFileForm(forms.Form):
    """One file from the browser uploader, with its own title, description
    and visibility (the page fills them from the batch or the file's row)."""

    # An empty file reaches the service, which says so in its own words.
    file = forms.FileField(label="File", allow_empty_file=True)
    title = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False)
    visibility = forms.ChoiceField(choices=Visibility.choices, required=False)

    def clean_visibility(self):
        return self.cleaned_data["visibility"] or Visibility.PUBLIC


SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class Sha256ListField(forms.Field):
    """A JSON list of SHA-256 hex digests, at most
    ``IMAGEREPO_MAX_HASHES_PER_CHECK`` of them; returns a set."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("Send a list of SHA-256 digests.", code="invalid")
        return {v.lower() for v in value}

    def validate(self, value):
        super().validate(value)
        limit = settings.IMAGEREPO_MAX_HASHES_PER_CHECK
        if len(value) > limit:
            raise ValidationError(
                "Send at most %(limit)s digests at a time.",
                code="too_many_hashes",
                params={"limit": limit},
            )
        if not all(SHA256_HEX.fullmatch(v) for v in value):
            raise ValidationError(
                "A SHA-256 digest is 64 hexadecimal digits.", code="invalid_hash"
            )


class HashCheckForm(forms.Form):
    sha256 = Sha256ListField(label="sha256")


# ---------------------------------------------------------------- bulk actions


class BulkActionForm(forms.Form):
    """Several of the owner's images and what to do with them. Only the
    owner's images are valid choices, so others' ids are refused."""

    action = forms.ChoiceField(
        choices=[
            ("public", "Make public"),
            ("private", "Make private"),
            ("delete", "Delete"),
        ]
    )
    images = forms.ModelMultipleChoiceField(
        queryset=Image.objects.none(),
        error_messages={
            "required": "Select at least one image first.",
            "invalid_choice": "Some of the selected images are not yours or are "
            "gone; nothing was changed.",
            "invalid_pk_value": "That is not an image id; nothing was changed.",
        },
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["images"].queryset = Image.objects.owned_by(owner)
