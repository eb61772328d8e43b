"""Photos with reports: stored once by hash, limits by size and type, and the
copy shown to others carries no location or camera metadata."""

import hashlib
import io
import os
import uuid
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import Actor, assert_error, make_app


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° when shown
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (37.0, 35.0, 21.0), 3: "E", 4: (127.0, 1.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def new_report(actor: Actor) -> int:
    body = {"kind": "suspicious_person", "lat": 37.59, "lon": 127.01}
    return actor.post("/api/v1/reports", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}).get_json()["id"]


def upload(actor: Actor, report_id: int, data: bytes, name: str = "photo.jpg"):  # type: ignore[no-untyped-def]
    return actor.post(f"/api/v1/reports/{report_id}/photos", data={"photo": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_photo_is_kept_as_sent_and_shown_without_metadata(app, as_):
    device, operator = as_("device"), as_("operator")
    report_id = new_report(device)
    data = jpeg_with_gps()
    first = upload(device, report_id, data)
    assert first.status_code == 201
    photo = first.get_json()
    assert photo["sha256"] == hashlib.sha256(data).hexdigest() and photo["content_type"] == "image/jpeg"
    again = upload(device, report_id, data)
    assert again.status_code == 200 and again.get_json()["id"] == photo["id"]

    originals = list((Path(app.instance_path) / "uploads" / "reports" / str(report_id)).glob(f"{photo['sha256']}.jpg"))
    assert [p.read_bytes() for p in originals] == [data]  # the evidence, byte for byte

    for viewer in (device, operator):
        with viewer.get(f"/api/v1/reports/{report_id}/photos/{photo['id']}") as served:
            assert served.status_code == 200 and served.mimetype == "image/jpeg"
            shown = Image.open(io.BytesIO(served.get_data()))
        assert dict(shown.getexif()) == {} and "exif" not in shown.info
        assert shown.size == (48, 64)  # upright, as the camera meant it
    assert [p["id"] for p in device.get("/api/v1/reports/mine").get_json()[0]["photos"]] == [photo["id"]]


def test_photo_limits_by_size_and_type(tmp_path):
    app = make_app(tmp_path, MAX_PHOTO_BYTES=2000)
    device = Actor(app, device=True)
    report_id = new_report(device)
    big = Image.frombytes("RGB", (100, 100), os.urandom(30_000))  # noise does not compress
    out = io.BytesIO()
    big.save(out, format="PNG")
    assert_error(upload(device, report_id, out.getvalue(), "big.png"), 413, files=["photo"])
    assert_error(upload(device, report_id, b"GIF89a not really", "x.gif"), 415, files=["photo"])
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    assert_error(upload(device, report_id, gif.getvalue(), "x.gif"), 415, files=["photo"])
    assert_error(device.post(f"/api/v1/reports/{report_id}/photos", json={"photo": "base64?"}), 415)
    assert not list((Path(app.instance_path) / "uploads").rglob("*.*"))


@pytest.mark.parametrize("kind, code", [("anonymous", 401), ("device", 403), ("resident", 403)])
def test_only_the_reporter_and_operators_see_or_add_photos(app, as_, kind, code):
    reporter = as_("device")
    report_id = new_report(reporter)
    photo_id = upload(reporter, report_id, jpeg_with_gps()).get_json()["id"]
    stranger = as_(kind)
    assert_error(stranger.get(f"/api/v1/reports/{report_id}/photos/{photo_id}"), code)
    assert_error(upload(stranger, report_id, jpeg_with_gps()), code)
