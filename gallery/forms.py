from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError

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
        limit = settings.IMAGEREPO_MAX_FILES_PER_REQUEST
        if len(files) > limit:
            raise ValidationError(
                "You sent %(count)s files; at most %(limit)s can go in one upload.",
                code="too_many_files",
                params={"count": len(files), "limit": limit},
            )
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
