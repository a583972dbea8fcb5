"""Upload bytes for the attachment tests: a JPEG carrying GPS EXIF, a small PNG."""

import io

from PIL import Image

GPS_IFD = 0x8825


def jpeg_with_gps(size=(800, 600)) -> bytes:
    """Return a JPEG whose EXIF names a camera and a GPS position."""
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0112] = 1  # Orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (31.0, 1.0, 12.5), 3: "E", 4: (113.0, 45.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_bytes(size=(64, 48), colour=(30, 120, 200)) -> bytes:
    """Return a small PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


HTML_AS_JPEG = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def upload(api_client, url: str, data: bytes, name: str = "photo.jpg", **form):
    """POST ``data`` as the multipart field ``file`` with the client's token."""
    return api_client.client.post(
        f"/api/v1{url}",
        data={"file": (io.BytesIO(data), name), **form},
        headers=api_client.headers,
        content_type="multipart/form-data",
    )
