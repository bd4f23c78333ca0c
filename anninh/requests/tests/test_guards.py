"""The submission guards: per-address rate limits, the honeypot, the form challenge (proof of
work or the sum, old enough, once), and the pictures' checks (type, size, metadata removed)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from anninh.requests import protection
from anninh.requests.images import AttachmentError, clean_image
from anninh.requests.models import Attachment, ServiceRequest
from anninh.requests.tests.factories import form_data, jpeg_with_gps, submit

pytestmark = pytest.mark.django_db


def _post(client, ip="192.0.2.10", files=None, **fields):
    data = form_data(**fields)
    if files:
        data["images"] = files
    return client.post("/requests/", data, REMOTE_ADDR=ip)


def test_one_address_is_refused_after_the_hourly_limit_and_another_is_not(client, settings):
    settings.ANNINH_REQUESTS_PER_HOUR = 2
    assert _post(client).status_code == 201
    assert _post(client).status_code == 201
    refused = _post(client)
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert _post(client, ip="192.0.2.99").status_code == 201
    assert ServiceRequest.objects.unrestricted().count() == 3


def test_the_daily_limit_counts_the_last_24_hours(settings):
    settings.ANNINH_REQUESTS_PER_HOUR = 100
    settings.ANNINH_REQUESTS_PER_DAY = 3
    for _ in range(3):
        submit(client_ip="192.0.2.5")
    with pytest.raises(protection.Refused):
        submit(client_ip="192.0.2.5")


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(client):
    response = _post(client, website="http://spam.example")
    assert response.status_code == 400
    assert not ServiceRequest.objects.unrestricted().exists()


def test_a_wrong_sum_without_proof_of_work_is_refused(client):
    response = _post(client, answer="999")
    assert response.status_code == 400
    assert "anti-spam answer is not right" in response.content.decode()
    assert not ServiceRequest.objects.unrestricted().exists()


def test_a_proof_of_work_replaces_the_sum(client, settings):
    settings.ANNINH_REQUESTS_POW_BITS = 8
    data = form_data(answer="")
    data["nonce"] = protection.pow_solve(data["challenge"], 8)
    assert client.post("/requests/", data, REMOTE_ADDR="192.0.2.1").status_code == 201


def test_a_wrong_nonce_is_not_a_proof_of_work(settings):
    settings.ANNINH_REQUESTS_POW_BITS = 8
    token = protection.challenge_issue()["token"]
    nonce = protection.pow_solve(token, 8)
    assert protection.pow_valid(token, nonce, 8)
    bad = next(str(n) for n in range(1000) if not protection.pow_valid(token, str(n), 8))
    with pytest.raises(protection.Refused) as exc:
        protection.challenge_check(token, nonce=bad)
    assert exc.value.code == "challenge"


def test_a_form_sent_faster_than_a_person_could_is_refused(client, settings):
    settings.ANNINH_REQUESTS_MIN_FILL_SECONDS = 3
    response = _post(client)
    assert response.status_code == 400
    assert "too quickly" in response.content.decode()


def test_a_challenge_is_accepted_once(client):
    data = form_data()
    assert client.post("/requests/", data, REMOTE_ADDR="192.0.2.1").status_code == 201
    again = client.post("/requests/", data, REMOTE_ADDR="192.0.2.1")
    assert again.status_code == 400
    assert ServiceRequest.objects.unrestricted().count() == 1


def test_a_forged_challenge_is_refused():
    token = protection.challenge_issue()["token"]
    with pytest.raises(protection.Refused) as exc:
        protection.challenge_check(token[:-2] + "xx", answer="5")
    assert exc.value.code == "challenge_expired"


def test_leading_zero_bits_are_counted_across_bytes():
    assert protection.leading_zero_bits(b"\x00\x00\x01") == 23
    assert protection.leading_zero_bits(b"\x80") == 0
    assert protection.leading_zero_bits(b"\x00\x10") == 11


def test_gps_and_camera_metadata_are_removed_from_pictures(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test picture has a position
    upload = SimpleUploadedFile("IMG_0001.jpg", original, content_type="image/jpeg")
    assert _post(client, files=[upload]).status_code == 201
    stored = Attachment.objects.unrestricted().get()
    image = Image.open(io.BytesIO(bytes(stored.content)))
    exif = image.getexif()
    assert not exif.get_ifd(0x8825) and 0xA431 not in exif and 0x010F not in exif
    assert b"SERIAL-12345" not in bytes(stored.content) and b"CameraMaker" not in bytes(stored.content)
    assert (stored.content_type, stored.width, stored.height) == ("image/jpeg", 40, 30)


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = _post(client, files=[upload])
    assert response.status_code == 400
    assert "Pictures must be JPEG, PNG or WebP images." in response.content.decode()
    with pytest.raises(AttachmentError):
        out = io.BytesIO()
        Image.new("RGB", (4, 4)).save(out, format="GIF")
        clean_image(out.getvalue())


def test_a_picture_over_the_size_limit_is_refused(settings):
    settings.ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES = 1000
    with pytest.raises(AttachmentError) as exc:
        clean_image(jpeg_with_gps(400, 300) + b"\x00" * 1000)
    assert exc.value.code == "attachment.too_large"


def test_the_form_works_without_script_and_says_what_is_stored(client):
    page = client.get("/requests/").content.decode()
    assert re.search(r'name="challenge" value="[^"]+"', page)
    assert "Anti-spam check: how much is" in page
    assert "Decree 13/2023/ND-CP" in page
    assert 'name="website"' in page


def test_the_privacy_notice_is_in_vietnamese_for_vietnamese_readers(client, settings):
    settings.LANGUAGE_CODE = "vi"
    page = client.get("/requests/", headers={"Accept-Language": "vi"}).content.decode()
    assert "Nghị định 13/2023/NĐ-CP" in page
    assert "Ẩn danh hoàn toàn" in page


def test_the_form_suggests_open_requests_of_the_same_kind_and_place_and_stores_nothing(client):
    listed, _c = submit("order-problem", commune_code="11311")
    tip, _c = submit("tip-crime", commune_code="11311")
    elsewhere, _c = submit("order-problem", commune_code="11329")
    data = form_data(service="order-problem", commune="11311", description="Tụ tập đua xe")
    data["check"] = "1"
    response = client.post("/requests/", data, REMOTE_ADDR="192.0.2.1")
    page = response.content.decode()
    assert response.status_code == 200
    assert listed.public_id in page and elsewhere.public_id not in page
    assert "Tụ tập đua xe" in page  # what was typed stays
    data["service"] = "tip-crime"
    assert tip.public_id not in client.post("/requests/", data, REMOTE_ADDR="192.0.2.1").content.decode()
    assert ServiceRequest.objects.unrestricted().count() == 3


def test_too_many_or_too_large_pictures_are_refused_by_the_form(client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES = 2000
    big = SimpleUploadedFile("a.jpg", jpeg_with_gps() + b"\x00" * 3000, content_type="image/jpeg")
    refused = _post(client, files=[big])
    assert refused.status_code == 400 and "A picture is larger than" in refused.content.decode()
    settings.ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
    four = [SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps(), content_type="image/jpeg") for i in range(4)]
    response = _post(client, files=four)
    assert response.status_code == 400 and "Send at most 3 pictures." in response.content.decode()
    assert not ServiceRequest.objects.unrestricted().exists()
