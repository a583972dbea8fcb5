"""What an upload is, told by its content: images re-encoded without EXIF, PDFs checked.

The file's name and the browser's Content-Type are ignored: the first bytes say what
the file claims to be, and Pillow must then open it as that. An image is redrawn from
its pixels into a new file, so EXIF (GPS location, camera, owner) and any other
metadata is left behind; its orientation is applied first so it still stands upright.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.errors import InvalidInput

THUMBNAIL_SIZE = (320, 320)
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is a decompression bomb, not a photo
# magic bytes -> (content type, extension, Pillow format)
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", "PNG"),
    (b"%PDF-", "application/pdf", "pdf", None),
)
# A PDF that runs scripts or launches programs is not a minutes scan.
PDF_ACTIVE_CONTENT = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile")
REFUSAL = "只能上传 JPEG、PNG、WebP 图片或 PDF 文档（按文件内容识别，与文件名无关）。"


@dataclass(frozen=True)
class CleanFile:
    content_type: str
    extension: str
    data: bytes
    thumbnail: bytes | None  # JPEG, for images


def _sniff(data: bytes) -> tuple[str, str, str | None]:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp", "WEBP"
    for magic, content_type, extension, image_format in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension, image_format
    raise InvalidInput(REFUSAL, field="file")


def clean_upload(data: bytes, max_bytes: int) -> CleanFile:
    """Return the upload re-encoded (images) or checked (PDF); refuse anything else."""
    if not data:
        raise InvalidInput("请选择要上传的文件。", field="file")
    if len(data) > max_bytes:
        raise InvalidInput(f"文件不能超过 {max_bytes // (1024 * 1024)} MB。", field="file")
    content_type, extension, image_format = _sniff(data)
    if image_format is None:
        return CleanFile(content_type, extension, _checked_pdf(data), None)
    image = _open_image(data, image_format)
    return CleanFile(content_type, extension, _encode(image, image_format), _thumbnail(image))


def _checked_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-2048:]:
        raise InvalidInput("PDF 文件不完整或已损坏，请重新导出后上传。", field="file")
    if any(marker in data for marker in PDF_ACTIVE_CONTENT):
        raise InvalidInput("PDF 中含有脚本或附件，不能上传；请另存为普通 PDF。", field="file")
    return data


def _open_image(data: bytes, image_format: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[image_format])
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput("图片尺寸过大（超过 4000 万像素），请缩小后上传。", field="file")
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidInput("图片文件已损坏或格式不符，无法打开。", field="file") from None
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L"):
        upright = upright.convert(
            "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
        )
    # A new image from the pixels alone: no EXIF, XMP, ICC or text chunks come along.
    return Image.frombytes(upright.mode, upright.size, upright.tobytes())


def _encode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        flat = image if image.mode in ("RGB", "L") else _on_white(image)
        flat.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image.convert("RGB")
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


def _thumbnail(image: Image.Image) -> bytes:
    small = _on_white(image) if image.mode not in ("RGB", "L") else image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()
