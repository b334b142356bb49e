from django import forms


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        label="Token name",
        help_text="Something to tell it apart later, like “laptop” or “backup script”.",
    )
