"""Pictures sent with a request: checked by what they are (not by their name or the type
the browser claims), limited in size and pixels, and re-encoded by Pillow without any of
their metadata (EXIF with the GPS position and the camera's serial, XMP, comments), after
turning them upright by their EXIF orientation."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

#: Formats accepted (Pillow's names) and how they are stored.
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is refused before decoding


class AttachmentError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    width: int
    height: int


def clean_image(data: bytes) -> CleanImage:
    if len(data) > settings.ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES:
        raise AttachmentError("attachment.too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
        if fmt not in ACCEPTED:
            raise AttachmentError("attachment.type")
        if width * height > MAX_PIXELS:
            raise AttachmentError("attachment.too_large")
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            # A new image from the pixels only: nothing of the original's info travels.
            clean = Image.new(image.mode, image.size)
            clean.putdata(list(image.getdata())) if image.mode == "P" else clean.paste(image)
            if image.mode == "P" and image.getpalette():
                clean.putpalette(image.getpalette())
            out = io.BytesIO()
            options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {}
            clean.save(out, format=fmt, **options)
    except AttachmentError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise AttachmentError("attachment.type") from exc
    return CleanImage(out.getvalue(), ACCEPTED[fmt], clean.width, clean.height)
