"""Hostile content: every attack file gets a clear per-file error (or, where it
is a real image, is stored safely), leaves no file and no row, never a 500."""

import io
import re
import zipfile
from html import unescape
from unittest import mock

import pytest
from django.urls import reverse
from django.utils.html import escape
from PIL import Image as PILImage

from gallery.models import Image
from gallery.services.uploads import upload_image

from .conftest import stored_files
from .images import (
    PDF,
    SVG,
    TEXT,
    animated_gif,
    image_bytes,
    noisy_jpeg,
    png_with_size,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE gallery_image; --"


def pillow_bytes(fmt, size=(16, 16), mode="RGB"):
    buf = io.BytesIO()
    PILImage.new(mode, size, 90).save(buf, fmt)
    return buf.getvalue()


def fits_bytes():
    cards = ["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 2", "NAXIS1  = 4", "NAXIS2  = 4"]
    header = "".join(f"{c:<80}" for c in [*cards, "END"]).encode()
    return header.ljust(2880, b" ") + bytes(2880)


def truncated_png():
    data = image_bytes("PNG", (300, 200), color=(1, 2, 3))
    return data[: len(data) // 2]


def zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("payload.html", f"<html>{SCRIPT}</html>")
    return buf.getvalue()


# attack -> (file name, bytes, Content-Type the client claims, expected codes)
NOT_IMAGES = {"not_an_image", "unsupported_format"}
HOSTILE = {
    "text renamed .jpg": ("notes.jpg", TEXT, "image/jpeg", NOT_IMAGES),
    "HTML renamed .jpg": (
        "page.jpg",
        f"<html>{SCRIPT}".encode(),
        "image/jpeg",
        NOT_IMAGES,
    ),
    "PHP renamed .jpg": (
        "shell.jpg",
        b"<?php system($_GET['c']); ?>",
        "image/jpeg",
        NOT_IMAGES,
    ),
    "PHP as x.jpg.php": ("x.jpg.php", b"<?php echo 1; ?>", "image/jpeg", NOT_IMAGES),
    "non-image with an image Content-Type": ("x.png", TEXT, "image/png", NOT_IMAGES),
    "zero bytes": ("empty.jpg", b"", "image/jpeg", {"empty"}),
    "random bytes": ("noise.jpg", bytes(range(256)) * 40, "image/jpeg", NOT_IMAGES),
    "truncated JPEG": ("cut.jpg", truncated_jpeg(), "image/jpeg", {"corrupt_image"}),
    "truncated PNG": ("cut.png", truncated_png(), "image/png", {"corrupt_image"}),
    "bomb in Pillow's warning band": (
        "warn.png",
        png_with_size(16_000, 14_000),  # 1.1× the limit
        "image/png",
        {"too_many_pixels"},
    ),
    "bomb in Pillow's error band": (
        "error.png",
        png_with_size(40_000, 40_000),
        "image/png",
        {"too_many_pixels"},
    ),
    "GIF with thousands of frames": (
        "frames.gif",
        animated_gif(3000, size=(2, 2)),
        "image/gif",
        {"too_many_frames"},
    ),
    "SVG with script": ("logo.svg", SVG, "image/svg+xml", {"unsupported_format"}),
    "SVG renamed .png": ("logo.png", SVG, "image/png", {"unsupported_format"}),
    "PDF": ("doc.jpg", PDF, "application/pdf", {"unsupported_format"}),
    "EPS": ("art.eps", pillow_bytes("EPS"), "image/jpeg", {"unsupported_format"}),
    "FITS": ("sky.fits", fits_bytes(), "image/jpeg", {"unsupported_format"}),
    "PSD header": (
        "layers.psd",
        b"8BPS\x00\x01" + bytes(40),
        "image/jpeg",
        {"unsupported_format"},
    ),
    "ICO": ("favicon.ico", pillow_bytes("ICO"), "image/x-icon", {"unsupported_format"}),
    "TGA": ("x.tga", pillow_bytes("TGA"), "image/jpeg", NOT_IMAGES),
    "PCX": ("x.pcx", pillow_bytes("PCX"), "image/jpeg", NOT_IMAGES),
    "PPM": ("x.ppm", pillow_bytes("PPM"), "image/jpeg", NOT_IMAGES),
    "ZIP renamed .jpg": (
        "archive.jpg",
        zip_bytes(),
        "image/jpeg",
        {"unsupported_format"},
    ),
}


@pytest.mark.parametrize("attack", HOSTILE, ids=list(HOSTILE))
def test_hostile_file_is_refused_by_the_service(user, media_root, attack):
    name, data, content_type, codes = HOSTILE[attack]
    outcome = upload_image(owner=user, file=upload(name, data, content_type))
    assert (outcome.outcome, outcome.image) == ("rejected", None)
    assert outcome.code in codes
    assert len(outcome.message) > 10
    assert not Image.objects.exists()
    assert stored_files() == []


def test_hostile_files_in_one_upload_each_get_a_reason_and_no_500(
    client_for, user, media_root
):
    files = [upload(n, d, ct) for n, d, ct, _ in HOSTILE.values()]
    good = upload("fine.jpg", noisy_jpeg(seed=3))
    response = client_for(user).post(
        reverse("gallery:upload"),
        {
            "images": [*files, good],
            "visibility": "public",
            "title": "",
            "description": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'data-outcome="(\w+)"', html)
    assert rows == ["rejected"] * len(HOSTILE) + ["created"]
    assert html.count('class="text-danger"') == len(HOSTILE)
    assert Image.objects.count() == 1
    assert len(stored_files()) == 3


def test_formats_outside_the_allow_list_never_reach_their_decoder(user):
    allowed = {"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"}
    called = []

    def spy(fmt, factory):
        def opened(*args, **kwargs):
            called.append(fmt)
            return factory(*args, **kwargs)

        return opened

    spied = {
        fmt: (spy(fmt, factory), accept)
        for fmt, (factory, accept) in PILImage.OPEN.items()
        if fmt not in allowed
    }
    with mock.patch.dict(PILImage.OPEN, spied):
        for attack in ("EPS", "FITS", "PSD header", "ICO", "TGA", "PCX", "PPM"):
            name, data, content_type, _ = HOSTILE[attack]
            outcome = upload_image(owner=user, file=upload(name, data, content_type))
            assert outcome.outcome == "rejected"
    assert called == []
    # The spy itself works: the same files do reach it without the allow-list.
    with mock.patch.dict(PILImage.OPEN, spied):
        PILImage.open(io.BytesIO(HOSTILE["ICO"][1]))
    assert called == ["ICO"]


def test_legal_but_huge_image_beyond_the_pixel_limit(user, settings, media_root):
    settings.IMAGEREPO_MAX_IMAGE_PIXELS = 200 * 100
    big = upload("big.png", image_bytes("PNG", (201, 100)))
    outcome = upload_image(owner=user, file=big)
    assert outcome.code == "too_many_pixels"
    assert "0.02 megapixels" in outcome.message
    assert stored_files() == []


# ---------------------------------------------------------------- names


HOSTILE_NAMES = {
    "path traversal": "../../../etc/cron.d/evil.jpg",
    "NUL byte": "photo\x00.php.jpg",
    "300 characters": "a" * 300 + ".jpg",
    "right-to-left override": "invoice\u202egpj.exe",
    "script tag": f"{SCRIPT}.jpg",
    "double extension": "x.jpg.php",
}


@pytest.mark.parametrize("attack", HOSTILE_NAMES, ids=list(HOSTILE_NAMES))
def test_hostile_file_name_is_stored_as_uuid_and_shown_escaped(
    client_for, user, media_root, attack
):
    name = HOSTILE_NAMES[attack]
    client = client_for(user)
    response = client.post(
        reverse("gallery:upload"),
        {
            "images": [upload(name, noisy_jpeg(seed=5))],
            "visibility": "public",
            "title": "",
            "description": "",
        },
    )
    assert re.findall(r'data-outcome="(\w+)"', response.content.decode()) == ["created"]
    image = Image.objects.get()
    assert re.fullmatch(r"originals/../../[0-9a-f]{32}\.jpg", image.original.name)
    assert sorted(p.rsplit("/", 1)[0] for p in stored_files()) == [
        f"originals/{image.pk.hex[:2]}/{image.pk.hex[2:4]}",
        *[f"renditions/{image.pk.hex[:2]}/{image.pk.hex[2:4]}"] * 2,
    ]
    shown = image.original_filename
    assert "/" not in shown and "\x00" not in shown and "\u202e" not in shown
    assert len(shown) <= 255 and len(image.title) <= 200
    for url in (
        reverse("gallery:index"),
        image.get_absolute_url(),
        reverse("gallery:upload"),
    ):
        html = client.get(url).content.decode()
        assert SCRIPT not in html and "\u202e" not in html
    detail = client.get(image.get_absolute_url()).content.decode()
    assert escape(shown) in detail  # shown to its owner, as text
    results = response.content.decode()
    assert SCRIPT not in results
    shown_names = re.findall(r'<a href="/images/[^"]+/">([^<]*)</a>', results)
    assert shown_names and all(len(n) <= 80 for n in shown_names)


# ---------------------------------------------------------------- polyglots


POLYGLOTS = {
    "PNG followed by HTML": ("PNG", f"<html><body>{SCRIPT}</body></html>".encode()),
    "JPEG followed by a ZIP": ("JPEG", zip_bytes()),
}


@pytest.mark.parametrize("attack", POLYGLOTS, ids=list(POLYGLOTS))
def test_polyglot_is_only_an_image_and_its_tail_reaches_nobody_else(
    client_for, user, other_user, media_root, attack
):
    fmt, tail = POLYGLOTS[attack]
    data = image_bytes(fmt, (120, 90)) + tail
    file = upload("poly.html", data, "text/html")
    image = upload_image(owner=user, file=file, visibility="public").image
    assert image.format == fmt
    assert image.original.name.endswith((".png", ".jpg"))

    for who in (other_user, None):
        client = client_for(who)
        for kind in ("thumbnail", "display"):
            response = client.get(reverse(f"gallery:{kind}", args=[image.pk]))
            body = b"".join(response.streaming_content)
            assert response["Content-Type"] in ("image/jpeg", "image/webp")
            assert (
                tail[:16] not in body
                and b"<script" not in body
                and b"PK" not in body[-64:]
            )
        original = client.get(reverse("gallery:original", args=[image.pk]))
        assert original.status_code == 404

    mine = client_for(user).get(reverse("gallery:original", args=[image.pk]))
    assert b"".join(mine.streaming_content) == data  # the owner's exact bytes
    assert mine["Content-Type"] == f"image/{fmt.lower()}"
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert mine["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )


# ---------------------------------------------------------------- text


def png_with_text(**chunks):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_text(key, value)
    buf = io.BytesIO()
    PILImage.new("RGB", (40, 30), (9, 9, 9)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def jpeg_with_exif_description(text):
    exif = PILImage.Exif()
    exif[0x010E] = text  # ImageDescription
    exif[0x013B] = SQL  # Artist
    buf = io.BytesIO()
    PILImage.new("RGB", (40, 30), (9, 9, 9)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


@pytest.mark.parametrize(
    "attack",
    ["PNG text chunk with HTML and SQL", "EXIF description with HTML and SQL"],
)
def test_metadata_text_is_inert(client_for, user, staff_user, attack):
    if attack.startswith("PNG"):
        data = png_with_text(Title=SCRIPT, Comment=SQL)
    else:
        data = jpeg_with_exif_description(SCRIPT)
    assert SCRIPT.encode() in data
    image = upload_image(owner=user, file=upload("meta.png", data)).image

    for kind in ("thumbnail", "display"):
        with getattr(image, kind).open("rb") as f:
            assert SCRIPT.encode() not in f.read()  # metadata is not copied
    pages = [
        reverse("gallery:index"),
        image.get_absolute_url(),
        reverse("gallery:edit", args=[image.pk]),
    ]
    for url in pages:
        assert SCRIPT not in client_for(user).get(url).content.decode()
    admin = client_for(staff_user).get(
        reverse("admin:gallery_image_change", args=[image.pk])
    )
    assert SCRIPT not in admin.content.decode()
    assert Image.objects.count() == 1  # and the table is still there


TEXT_ATTACKS = {
    "HTML in the title": (f"{SCRIPT}<img src=x onerror=alert(2)>", "plain"),
    "SQL in the title": (SQL, "plain"),
    "HTML in the description": ("plain", f"<b>bold</b>{SCRIPT}"),
    "SQL in the description": ("plain", f"x' OR '1'='1{SQL}"),
}


@pytest.mark.parametrize("attack", TEXT_ATTACKS, ids=list(TEXT_ATTACKS))
def test_title_and_description_are_escaped_everywhere(
    client_for, user, staff_user, make_image, attack
):
    title, description = TEXT_ATTACKS[attack]
    image = make_image(user, title=title, description=description)
    raw = [s for s in (title, description) if "<" in s]
    pages = {
        "gallery": reverse("gallery:index"),
        "search": reverse("gallery:index") + "?q=plain",
        "detail": image.get_absolute_url(),
        "edit": reverse("gallery:edit", args=[image.pk]),
        "delete": reverse("gallery:delete", args=[image.pk]),
    }
    for page, url in pages.items():
        html = client_for(user).get(url).content.decode()
        assert image.pk.hex[:8] in html.replace("-", "") or page == "search"
        for text in raw:
            assert text not in html, page
    admin = client_for(staff_user).get(reverse("admin:gallery_image_changelist"))
    for text in raw:
        assert text not in admin.content.decode()
    image.refresh_from_db()
    assert (image.title, image.description) == (title, description)


@pytest.mark.parametrize(
    ("attack", "query", "expected"),
    [
        # Search is by words: punctuation alone finds nothing, and is never a
        # wildcard that finds everything (gallery.search.terms).
        ("percent wildcard", "%", set()),
        ("underscore wildcard", "_", set()),
        ("percent beside a word", "100%", {"100% sure"}),
        ("underscore between words", "snake_case", {"snake_case"}),
        ("SQL injection", "' OR 1=1 --", set()),
        ("SQL comment and quote", SQL, set()),
        ("HTML in the query", SCRIPT, set()),
        ("LIKE escape character", "\\", set()),
        ("backslash between words", "back\\slash", {"back\\slash"}),
    ],
)
def test_search_treats_wildcards_sql_and_html_as_text(
    client_for, user, make_image, attack, query, expected
):
    for title in ("100% sure", "snake_case", "back\\slash", "plain words"):
        make_image(user, title=title)
    response = client_for(user).get(reverse("gallery:index"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    # The titles of the tiles shown: the page also repeats the query itself,
    # so "snake_case" is somewhere on it whether or not it was found.
    found = {unescape(t) for t in re.findall(r'data-title="([^"]*)"', html)}
    assert found == expected
    assert SCRIPT not in html
    assert Image.objects.count() == 4


def test_hostile_files_through_the_per_file_endpoint_get_json_errors(
    client_for, user, media_root
):
    client = client_for(user)
    for attack, (name, data, content_type, codes) in HOSTILE.items():
        response = client.post(
            reverse("gallery:upload-file"),
            {"file": upload(name, data, content_type), "visibility": "public"},
        )
        assert 400 <= response.status_code < 500, attack
        body = response.json()
        assert body["outcome"] == "rejected" and body["code"] in codes, attack
        assert body["message"], attack
    assert not Image.objects.exists()
    assert stored_files() == []
