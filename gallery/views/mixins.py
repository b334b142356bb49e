"""What several page views share."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme


class BackToPageMixin:
    """A form posted from a page that goes back to it (``next``, if it is
    ours) with a message, also when the form is refused."""

    fallback_url = reverse_lazy("gallery:index")

    def form_invalid(self, form):
        messages.error(self.request, next(iter(form.errors.values()))[0])
        return HttpResponseRedirect(self.next_url())

    def next_url(self):
        url = self.request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            url,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        )
        return url if safe else str(self.fallback_url)
