"""Image files made in memory with Pillow, good and deliberately broken."""

import io
import random
import struct
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 60, 40), exif=None, **save):
    """Encoded bytes of a solid image; ``exif`` is a Pillow ``Exif`` or bytes."""
    alpha_formats = ("PNG", "WEBP", "HEIF", "AVIF")
    mode = "RGBA" if fmt in alpha_formats and len(color) == 4 else "RGB"
    img = PILImage.new(mode, size, color)
    buf = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    img.save(buf, fmt, **save)
    return buf.getvalue()


def noisy_jpeg(size=(640, 480), seed=0):
    """A JPEG whose bytes differ with ``seed`` (so each one is a new image)."""
    rng = random.Random(seed)
    img = PILImage.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def exif_with(**tags):
    exif = PILImage.Exif()
    for tag_id, value in tags.items():
        exif[int(tag_id.removeprefix("tag_"))] = value
    return exif


def truncated_jpeg():
    data = noisy_jpeg((400, 300), seed=99)
    return data[: len(data) // 2]


def png_with_size(width, height):
    """A tiny PNG whose header claims ``width`` x ``height``: a decompression
    bomb as far as any decoder is concerned."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def animated_gif(frames, size=(8, 8)):
    images = [PILImage.new("L", size, (i * 37) % 256) for i in range(frames)]
    buf = io.BytesIO()
    images[0].save(buf, "GIF", save_all=True, append_images=images[1:], duration=20)
    return buf.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = b"just some text, not an image at all\n"


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


DATA = Path(__file__).parent / "data"
# A JPEG with a second picture after the first, as phones (portrait depth
# maps) and cameras save them: Pillow calls it MPO. Made with Pillow:
# first.save(f, "MPO", save_all=True, append_images=[second]); the first
# picture is red with a blue bar, the second plain green.
MPO = (DATA / "mpo-two-pictures.jpg").read_bytes()
