from datetime import timedelta

from django import forms

# How long a new token opens the API; None: until it is revoked.
LIFETIMES = {
    "30": ("30 days", timedelta(days=30)),
    "90": ("90 days", timedelta(days=90)),
    "365": ("A year", timedelta(days=365)),
    "never": ("Never (until revoked)", None),
}


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        label="Token name",
        help_text="Something to tell it apart later, like “laptop” or “backup script”.",
    )
    expires = forms.ChoiceField(
        choices=[(value, label) for value, (label, _) in LIFETIMES.items()],
        initial="365",
        label="Expires after",
        help_text="A token that leaks stops working by itself once it expires; "
        "a script using it is then refused until you give it a new one.",
    )

    def lifetime(self):
        return LIFETIMES[self.cleaned_data["expires"]][1]
