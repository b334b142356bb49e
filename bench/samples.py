"""Generated benchmark data: realistic photos and many small files.

Photos are half smooth (gradients and soft shapes, like sky and walls) and
half noisy (the same plus sensor-like Gaussian noise, which is what makes real
phone JPEGs big and slow to decode), every one different, plus some PNGs
(screenshot-sized). The photos carry a phone's EXIF (date taken with its
zone, camera, lens, exposure; GPS on half), which import reads in the same
pass as its checks; the PNGs have none, as screenshots, and are dated by
their file. A folder is reused when it already holds what was asked.
"""

import json
import random
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter
from PIL.TiffImagePlugin import IFDRational

JPEG_QUALITY = 90
_noise = {}


@dataclass(frozen=True)
class Sample:
    folder: Path
    count: int

    def files(self):
        return sorted(p for p in self.folder.rglob("*") if p.is_file())

    def sample(self, count):
        """``count`` files spread over the set (smooth, noisy and PNG alike)."""
        files = self.files()
        step = max(len(files) // count, 1)
        return files[::step][:count]


def make_photos(folder, count, megapixels, pngs=None):
    pngs = count // 20 if pngs is None else pngs
    spec = {"photos": count, "megapixels": megapixels, "pngs": pngs, "exif": True}
    if _ready(folder, spec):
        return Sample(folder, count + pngs)
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    size = (width, width * 3 // 4)
    jobs = [(folder, i, size, i % 2 == 1, "JPEG", True) for i in range(count)]
    jobs += [
        (folder, i, (1600, 1200), False, "PNG", False)
        for i in range(count, count + pngs)
    ]
    print(f"generating {count} {megapixels:g} MP JPEGs and {pngs} PNGs...", flush=True)
    _generate(folder, jobs, spec)
    return Sample(folder, count + pngs)


def make_small_files(folder, count):
    spec = {"small": count}
    if _ready(folder, spec):
        return Sample(folder, count)
    print(f"generating {count:,} small JPEGs...", flush=True)
    jobs = [(folder, i, (96, 72), True, "JPEG", False) for i in range(count)]
    _generate(folder, jobs, spec)
    return Sample(folder, count)


def _ready(folder, spec):
    marker = folder.parent / f"{folder.name}.spec.json"
    return marker.exists() and json.loads(marker.read_text()) == spec


def _generate(folder, jobs, spec):
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with Pool(2) as pool:
        for _ in pool.imap_unordered(_write, jobs, chunksize=16):
            pass
    (folder.parent / f"{folder.name}.spec.json").write_text(json.dumps(spec))


def _write(job):
    folder, index, size, noisy, fmt, exif = job
    # 1,000 files a folder, as cameras and phones lay them out.
    sub = folder / f"{index // 1000:04}"
    sub.mkdir(exist_ok=True)
    image = _photo(index, size, noisy)
    if fmt == "PNG":
        image.save(sub / f"SCR_{index:06}.png", "PNG", compress_level=6)
    else:
        extra = {"exif": _exif(index)} if exif else {}
        image.save(sub / f"IMG_{index:06}.jpg", "JPEG", quality=JPEG_QUALITY, **extra)


def _exif(seed):
    """What a phone writes: a different date taken for every photo, over
    some years, in one of a few zones; GPS on every other one."""
    rng = random.Random(seed)
    base, exif_ifd, gps = ExifTags.Base, ExifTags.IFD.Exif, ExifTags.GPS
    exif = Image.Exif()
    exif[base.Make], exif[base.Model] = "Bench", "Phone 12"
    taken = (
        f"{rng.randint(2012, 2024)}:{rng.randint(1, 12):02}:{rng.randint(1, 28):02} "
        f"{rng.randint(0, 23):02}:{rng.randint(0, 59):02}:{rng.randint(0, 59):02}"
    )
    exif[base.DateTime] = taken
    sub = exif.get_ifd(exif_ifd)
    sub[base.DateTimeOriginal] = sub[base.DateTimeDigitized] = taken
    sub[base.OffsetTimeOriginal] = rng.choice(["+01:00", "+02:00", "-05:00", "+09:00"])
    sub[base.LensModel] = "Bench back camera 4.2mm f/1.8"
    sub[base.FocalLength], sub[base.FNumber] = IFDRational(42, 10), IFDRational(18, 10)
    sub[base.ExposureTime] = IFDRational(1, rng.choice([30, 60, 120, 500]))
    sub[base.ISOSpeedRatings] = rng.choice([50, 100, 400, 1600])
    if seed % 2:
        where = exif.get_ifd(ExifTags.IFD.GPSInfo)
        where[gps.GPSLatitudeRef], where[gps.GPSLongitudeRef] = "N", "E"
        where[gps.GPSLatitude] = (IFDRational(48), IFDRational(51), IFDRational(24))
        where[gps.GPSLongitude] = (IFDRational(2), IFDRational(21), IFDRational(3))
    return exif


def _photo(seed, size, noisy):
    rng = random.Random(seed)
    small = (max(size[0] // 8, 8), max(size[1] // 8, 6))
    base = Image.new("RGB", small, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(base)
    for _ in range(12):
        x, y = rng.randrange(small[0]), rng.randrange(small[1])
        w, h = rng.randrange(4, small[0] // 2 + 5), rng.randrange(4, small[1] // 2 + 5)
        fill = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(
            (x, y, x + w, y + h), fill
        )
    image = base.filter(ImageFilter.GaussianBlur(2)).resize(
        size, Image.Resampling.BICUBIC
    )
    if noisy:
        noise = _noise_field(size)
        shifted = ImageChops.offset(
            noise, rng.randrange(size[0]), rng.randrange(size[1])
        )
        image = ImageChops.add(image, shifted, offset=-64)
    return image


def _noise_field(size):
    # Made once per process and shifted per photo: effect_noise is slow.
    if size not in _noise:
        grey = Image.effect_noise(size, 20)
        _noise[size] = Image.merge("RGB", (grey, grey.rotate(180), grey.transpose(0)))
    return _noise[size]
