"""Images in the admin: listed, changed, added, trashed and purged through
the same services as the site."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from ..delivery import image_file_response
from ..forms import accept_attribute
from ..models import Image, Visibility
from ..selectors import FILE_KINDS, visible_images
from ..services.images import (
    image_trash,
    image_update,
    images_purge,
    images_restore,
    images_set_visibility,
    images_trash,
)
from ..services.uploads import CREATED, upload_image


class ImageAddForm(forms.Form):
    upload = forms.FileField(label="Image file")
    # A deleted (inactive) account takes no images.
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True)
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the file name."
    )
    description = forms.CharField(widget=forms.Textarea, required=False)
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.PRIVATE, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].widget.attrs["accept"] = accept_attribute()


class TrashFilter(admin.SimpleListFilter):
    title = "trash"
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("yes", "In trash"), ("no", "Not in trash")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.trashed()
        if self.value() == "no":
            return queryset.live()
        return queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail_tag",
        "title",
        "owner",
        "visibility",
        "size",
        "format",
        "taken",
        "added",
    ]
    list_display_links = ["thumbnail_tag", "title"]
    list_filter = [
        TrashFilter,
        "visibility",
        "format",
        ("owner", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["owner"]
    search_fields = ["title", "description", "owner__username"]
    date_hierarchy = "created_at"
    actions = [
        "make_public",
        "make_private",
        "move_to_trash",
        "restore_from_trash",
        "delete_for_good",
    ]
    # Deleting from the change page moves the image to the trash too.
    delete_confirmation_template = "admin/gallery/image/move_to_trash.html"
    readonly_fields = [
        "preview",
        "owner",
        "original_filename",
        "format",
        "width",
        "height",
        "file_size",
        "sha256",
        "created_at",
        "updated_at",
    ]
    fields = ["preview", "title", "description", "visibility", *readonly_fields[1:]]

    class Media:
        # Classes, not style attributes: the CSP allows no inline styles.
        css = {"all": ["css/imagerepo-admin.css"]}

    def view_on_site(self, obj):
        # Only for an image the site shows everyone: a private or trashed
        # one is its owner's alone, and its page a 404 to an administrator.
        if not visible_images(AnonymousUser()).filter(pk=obj.pk).exists():
            return None
        return obj.get_absolute_url()

    def add_view(self, request, form_url="", extra_context=None):
        """Adding goes through the upload service, as every other way in does,
        on a page of its own: the admin's own add view runs in a transaction,
        and a stored file must never outlive a row rolled back after it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImageAddForm(
            request.POST or None,
            request.FILES or None,
            initial={"owner": request.user.pk},
        )
        if form.is_valid():
            data = form.cleaned_data
            outcome = upload_image(
                owner=data["owner"],
                file=data["upload"],
                title=data["title"],
                description=data["description"],
                visibility=data["visibility"],
            )
            if outcome.image is not None:
                return self._added(request, data["owner"], outcome)
            form.add_error("upload", outcome.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Add image",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/gallery/image/add.html", context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        image_update(
            obj,
            title=data["title"],
            description=data["description"],
            visibility=data["visibility"],
        )

    def delete_model(self, request, obj):
        image_trash(obj)

    def delete_queryset(self, request, queryset):
        images_trash(queryset)

    def get_actions(self, request):
        # "Move to trash" and "Delete for good" say what deleting does.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        extra = {
            "title": "Move to trash?",
            "trash_days": settings.IMAGEREPO_TRASH_DAYS,
            **(extra_context or {}),
        }
        return super().delete_view(request, object_id, extra)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(request, f"“{obj_display}” was moved to its owner's trash.")
        return redirect("admin:gallery_image_changelist")

    def _added(self, request, owner, outcome):
        if outcome.outcome == CREATED:
            self.log_addition(request, outcome.image, [{"added": {}}])
            self.message_user(request, f"“{outcome.image}” was added.")
        else:
            self.message_user(request, f"{owner}: {outcome.message}", messages.INFO)
        return redirect("admin:gallery_image_changelist")

    # ------------------------------------------------------------ columns

    @admin.display(description="Image")
    def thumbnail_tag(self, obj):
        # The thumbnail is a link to the image's change page: its alt text is
        # the link's name for a screen reader.
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy" '
            'class="admin-thumb">',
            self._file_url(obj, "thumbnail"),
            obj.title,
            obj.thumbnail_width,
            obj.thumbnail_height,
        )

    @admin.display(description="Preview")
    def preview(self, obj):
        return format_html(
            '<a href="{}"><img src="{}" alt="" class="admin-preview"></a>',
            self._file_url(obj, "original"),
            self._file_url(obj, "thumbnail"),
        )

    @admin.display(description="Taken", ordering="taken_at")
    def taken(self, obj):
        # The day alone, on the photo's own clock (as its page shows it);
        # the moment is its title.
        local = obj.taken_local
        if local is None:
            return None
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            local.strftime("%Y-%m-%dT%H:%M:%S"),
            date_format(local, "DATETIME_FORMAT"),
            date_format(local, "SHORT_DATE_FORMAT"),
        )

    @admin.display(description="Added", ordering="created_at")
    def added(self, obj):
        # Short enough to fit beside the filters at 1280 px (the site's
        # written-out date does not); the full one is its title.
        at = localtime(obj.created_at)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            at.isoformat(),
            date_format(at, "DATETIME_FORMAT"),
            date_format(at, "SHORT_DATETIME_FORMAT"),
        )

    @admin.display(description="Size", ordering="file_size")
    def size(self, obj):
        return filesizeformat(obj.file_size)

    # ------------------------------------------------------------ actions

    @admin.action(description="Make selected images public")
    def make_public(self, request, queryset):
        self._set_visibility(request, queryset, Visibility.PUBLIC)

    @admin.action(description="Make selected images private")
    def make_private(self, request, queryset):
        self._set_visibility(request, queryset, Visibility.PRIVATE)

    def _set_visibility(self, request, queryset, visibility):
        count = images_set_visibility(queryset, visibility)
        self.message_user(request, f"{count} image(s) are now {visibility}.")

    @admin.action(
        description="Move selected images to the trash", permissions=["delete"]
    )
    def move_to_trash(self, request, queryset):
        count = images_trash(queryset)
        self.message_user(request, f"{count} image(s) moved to their owners' trash.")

    @admin.action(
        description="Restore selected images from the trash", permissions=["delete"]
    )
    def restore_from_trash(self, request, queryset):
        count = images_restore(queryset)
        self.message_user(request, f"{count} image(s) restored from the trash.")

    @admin.action(description="Delete selected images for good", permissions=["delete"])
    def delete_for_good(self, request, queryset):
        """Asks first, on a page of its own (Django's pattern for actions
        with an intermediate page): nothing can bring them back."""
        if request.POST.get("post") == "yes":
            count = images_purge(queryset)
            self.message_user(request, f"{count} image(s) deleted for good.")
            return None
        images = list(queryset.select_related("owner").order_by("-created_at"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Delete images for good?",
            "images": images,
            "size": queryset.aggregate(size=Sum("file_size"))["size"] or 0,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(
            request, "admin/gallery/image/delete_for_good.html", context
        )

    # ------------------------------------------------------------ files

    def get_urls(self):
        view = self.admin_site.admin_view(self.file_view)
        return [
            path("<uuid:pk>/file/<str:kind>/", view, name="gallery_image_file"),
            *super().get_urls(),
        ]

    def file_view(self, request, pk, kind):
        """Staff see every image's files, but only here behind the admin."""
        if kind not in FILE_KINDS:
            raise Http404
        image = get_object_or_404(Image.objects.all(), pk=pk)
        if not self.has_view_permission(request, image):
            raise Http404
        response = image_file_response(request, image, kind)
        if response is None:
            raise Http404
        return response

    def _file_url(self, obj, kind):
        return reverse("admin:gallery_image_file", kwargs={"pk": obj.pk, "kind": kind})
