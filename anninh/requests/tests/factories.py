"""Requests for tests: submitted through the service, as the form and Open311 do."""

from __future__ import annotations

import io

from PIL import Image

from anninh.requests import services
from anninh.requests.models import Anonymity


def submit(service_code: str = "tip-crime", *, client_ip: str | None = "203.0.113.7", **fields):
    fields.setdefault("description", "Có người bán ma túy ở đầu ngõ mỗi tối.")
    fields.setdefault("anonymity", Anonymity.ANONYMOUS)
    if "commune_code" not in fields and "lat" not in fields:
        fields["commune_code"] = "11311"
    images = fields.pop("images", [])
    data = services.Submission(service_code=service_code, images=images, **fields)
    return services.request_submit(data=data, client_ip=client_ip)


def jpeg_with_gps(width: int = 40, height: int = 30) -> bytes:
    """A JPEG whose EXIF carries a GPS position and a camera serial number."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (20.0, 51.0, 30.0)
    gps[3] = "E"
    gps[4] = (106.0, 41.0, 10.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def form_data(service: str = "tip-crime", **fields) -> dict:
    """What the public form posts, with a solved challenge (the sum people without script
    answer). Tests set ANNINH_REQUESTS_MIN_FILL_SECONDS = 0."""
    from anninh.requests.protection import challenge_issue

    challenge = challenge_issue()
    data = {
        "service": service,
        "description": "Có người bán ma túy ở đầu ngõ mỗi tối.",
        "commune": "11311",
        "address": "",
        "anonymity": Anonymity.ANONYMOUS,
        "name": "",
        "phone": "",
        "email": "",
        "organisation": "",
        "website": "",
        "challenge": challenge["token"],
        "nonce": "",
        "answer": str(challenge["a"] + challenge["b"]),
    }
    data.update(fields)
    return data
