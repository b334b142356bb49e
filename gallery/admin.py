from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from .delivery import image_file_response
from .forms import accept_attribute
from .models import Image, Visibility
from .services import images_set_visibility, prepare_image, store_image


class ImageAddForm(forms.ModelForm):
    """Adding in the admin runs the same checks as every other upload:
    ``prepare_image`` here, ``store_image`` in ``ImageAdmin.save_model``."""

    upload = forms.FileField(label="Image file")

    class Meta:
        model = Image
        fields = ["upload", "owner", "title", "description", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = "Leave empty to use the file name."
        self.fields["upload"].widget.attrs["accept"] = accept_attribute()

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        self.prepared = prepare_image(upload, filename=upload.name)
        return upload


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail_tag",
        "title",
        "owner",
        "visibility",
        "size",
        "format",
        "added",
    ]
    list_display_links = ["thumbnail_tag", "title"]
    list_filter = ["visibility", "format", ("owner", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["title", "description", "owner__username"]
    date_hierarchy = "created_at"
    actions = ["make_public", "make_private"]
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

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ImageAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ImageAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, "visibility": Visibility.PRIVATE}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None and request.method == "POST":
            # Adding stores files and row through store_image, which commits on
            # its own and refuses to run inside a transaction (a rollback would
            # leave the files behind), so this one POST skips the admin's.
            return self._changeform_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        image = store_image(
            form.prepared,
            data["upload"],
            owner=data["owner"],
            title=data["title"],
            description=data["description"],
            visibility=data["visibility"],
        )
        if image.is_duplicate:
            messages.info(request, f"{data['owner']} already had this image.")
        # The admin goes on with the object its form built; make it the stored row.
        obj.pk = image.pk
        obj._state.adding = False
        obj.refresh_from_db()

    # ------------------------------------------------------------ columns

    @admin.display(description="Image")
    def thumbnail_tag(self, obj):
        return format_html(
            '<img src="{}" alt="" width="{}" height="{}" loading="lazy" '
            'class="admin-thumb">',
            self._file_url(obj, "thumbnail"),
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

    @admin.display(description="Added", ordering="created_at")
    def added(self, obj):
        # Short enough to fit beside the filters at 1280 px ("Dec. 3, 2026,
        # 8:35 a.m." did not); the full time is its title.
        at = localtime(obj.created_at)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            at.isoformat(),
            date_format(at, "DATETIME_FORMAT"),
            date_format(at, "Y-m-d H:i"),
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

    # ------------------------------------------------------------ files

    def get_urls(self):
        view = self.admin_site.admin_view(self.file_view)
        return [
            path("<uuid:pk>/file/<str:kind>/", view, name="gallery_image_file"),
            *super().get_urls(),
        ]

    def file_view(self, request, pk, kind):
        """Staff see every image's files, but only here behind the admin."""
        if kind not in ("thumbnail", "display", "original"):
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
