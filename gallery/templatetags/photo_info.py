"""How a photo's camera details read on its page: as photographers write
them (1/250 s, f/2.8, ISO 400, 50 mm)."""

from django import template

from ..metadata import offset_label

register = template.Library()


@register.filter
def camera(image):
    """Make and model, without the make twice ("Canon Canon EOS 5D")."""
    make, model = image.camera_make, image.camera_model
    if make and model.lower().startswith(make.split()[0].lower()):
        return model
    return " ".join(part for part in (make, model) if part)


@register.filter
def exposure(image):
    """Shutter, aperture, ISO and focal length, those the camera gave."""
    parts = []
    if image.exposure_time:
        parts.append(f"{shutter(image.exposure_time)} s")
    if image.f_number:
        parts.append(f"f/{image.f_number:g}")
    if image.iso:
        parts.append(f"ISO {image.iso}")
    if image.focal_length:
        parts.append(f"{image.focal_length:g} mm")
    return " · ".join(parts)


def shutter(seconds):
    """1/250 for short exposures, as cameras show them; 2.5 for long ones."""
    if seconds >= 1:
        return f"{seconds:g}"
    return f"1/{round(1 / seconds)}"


register.filter("utc_offset", offset_label)
