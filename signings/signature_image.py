"""Checking a drawn signature image before it is stored.

Every client (kiosk API, officer's browser pad) sends a PNG; we refuse anything else, decode it
with guards against decompression bombs, refuse blank or trivially small drawings, and store
the PNG rebuilt from its image chunks alone: header, palette, transparency, pixel data, end.
Metadata chunks (text, EXIF, ICC profiles, ...) and anything after the end are dropped, and the
pixel data must decompress to exactly the image's scanlines, each with a valid filter byte, so
nothing a client smuggled in survives and every decoder reads the pixels we checked.

This runs inside the signing request, at hundreds of submissions a second, so it does only
what refusing bad input needs: walk the chunks (their CRCs), inflate the pixel data once to
check its size and filter bytes, decode once with Pillow to measure the ink with whole-image
operations. It keeps the client's compressed bytes instead of re-encoding them: the drawing is
the same, and a re-encode cost more than the rest of the request together (bench/
kiosk_profile.py). The thumbnail is made afterwards, in a background task (`make_thumbnail`).
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from signings.errors import PaktaError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_WIDTH = 4000
MAX_HEIGHT = 4000
# A real finger signature touches at least this many pixels and spans this much of the pad.
MIN_INK_PIXELS = 150
MIN_INK_SPAN = 40
THUMBNAIL_SIZE = (360, 120)
# A pixel counts as ink when, flattened on white paper, it is darker than 200 of 255.
INK_THRESHOLD = 255 - 200
_INK_LUT = [0] * (INK_THRESHOLD + 1) + [255] * (255 - INK_THRESHOLD)


class SignatureImageError(PaktaError, ValueError):
    """A signature image that cannot be accepted."""


@dataclass(frozen=True)
class CleanSignature:
    png: bytes
    width: int
    height: int


def decode_data_url(data: str) -> bytes:
    """Accept `data:image/png;base64,...` or bare base64; refuse every other media type."""
    if not isinstance(data, str) or not data:
        raise SignatureImageError("image.missing", _("Gambar tanda tangan tidak dikirim."))
    if data.startswith("data:"):
        header, _sep, payload = data.partition(",")
        if header.lower() != "data:image/png;base64":
            raise SignatureImageError(
                "image.not_png", _("Tanda tangan harus berupa gambar PNG.")
            )
        data = payload
    max_bytes = settings.PAKTA_SIGNATURE_MAX_BYTES
    if len(data) > max_bytes * 4 // 3 + 8:
        raise SignatureImageError(
            "image.too_large", _("Gambar tanda tangan terlalu besar."), status=413
        )
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureImageError(
            "image.bad_base64", _("Data gambar tanda tangan rusak (base64 tidak sah).")
        ) from None


def clean_signature_png(raw: bytes) -> CleanSignature:
    if len(raw) > settings.PAKTA_SIGNATURE_MAX_BYTES:
        raise SignatureImageError(
            "image.too_large", _("Gambar tanda tangan terlalu besar."), status=413
        )
    if not raw.startswith(PNG_MAGIC):
        raise SignatureImageError("image.not_png", _("Tanda tangan harus berupa gambar PNG."))
    png = _image_chunks(raw)
    try:
        image = Image.open(io.BytesIO(png), formats=["PNG"])
        # The header is read without decoding pixels: check its claims before loading.
        width, height = image.size
        if width > MAX_WIDTH or height > MAX_HEIGHT or width < 1 or height < 1:
            raise SignatureImageError(
                "image.dimensions",
                _("Ukuran gambar tanda tangan tidak wajar (%(w)d×%(h)d piksel).")
                % {"w": width, "h": height},
            )
        # A cut-off or padded PNG is refused here, not left to load(): WeasyPrint, once
        # imported, sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process, and load() would
        # then accept it as a partly blank drawing.
        _check_pixel_data(png, width, height)
        image.load()
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    except SignatureImageError:
        raise
    except Image.DecompressionBombError:
        # Pillow refuses, at open, headers claiming far more pixels than it allows.
        raise SignatureImageError(
            "image.dimensions", _("Ukuran gambar tanda tangan tidak wajar.")
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, zlib.error):
        raise SignatureImageError(
            "image.corrupt", _("Gambar tanda tangan tidak dapat dibaca.")
        ) from None

    ink_pixels, bbox = _ink(rgba)
    if not bbox or ink_pixels < MIN_INK_PIXELS:
        raise SignatureImageError(
            "image.blank", _("Tanda tangan kosong atau terlalu kecil. Silakan tanda tangani lagi.")
        )
    span = max(bbox[2] - bbox[0], bbox[3] - bbox[1])
    if span < MIN_INK_SPAN:
        raise SignatureImageError(
            "image.too_small", _("Tanda tangan terlalu kecil. Silakan tanda tangani lagi.")
        )
    return CleanSignature(png=png, width=width, height=height)


def _ink(rgba: Image.Image) -> tuple[int, tuple[int, int, int, int] | None]:
    """(ink pixels, their bounding box within the opaque part: only its size matters).

    Ink strength = opacity × darkness; one C-level pass each instead of compositing on white.
    Only the opaque part can hold ink, so it is measured there alone (a canvas is mostly
    transparent)."""
    opaque = rgba.getchannel("A").getbbox()
    if opaque is None:
        return 0, None
    part = rgba.crop(opaque)
    darkness = ImageChops.invert(part.convert("L"))
    ink_mask = ImageChops.multiply(part.getchannel("A"), darkness).point(_INK_LUT)
    return ink_mask.histogram()[255], ink_mask.getbbox()


# What a stored signature keeps: the critical chunks and the transparency a canvas may write.
KEPT_CHUNKS = (b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND")
ANIMATION_CHUNKS = (b"acTL", b"fcTL", b"fdAT")
# Samples per pixel by PNG colour type: grey, RGB, palette, grey + alpha, RGBA.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7 passes: (first column, first row, column step, row step).
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))


def _corrupt() -> SignatureImageError:
    return SignatureImageError("image.corrupt", _("Gambar tanda tangan tidak dapat dibaca."))


def _image_chunks(raw: bytes) -> bytes:
    """The PNG with only KEPT_CHUNKS, each checked against its CRC, ending at IEND."""
    kept = [PNG_MAGIC]
    position, kinds = len(PNG_MAGIC), []
    while True:
        if position + 12 > len(raw):
            raise _corrupt()  # cut off before IEND
        length, kind = struct.unpack_from(">I4s", raw, position)
        end = position + 12 + length
        if end > len(raw) or zlib.crc32(raw[position + 4:end - 4]) != int.from_bytes(
                raw[end - 4:end]):
            raise _corrupt()
        if kind in ANIMATION_CHUNKS:
            raise SignatureImageError(
                "image.animated", _("Gambar tanda tangan tidak boleh beranimasi.")
            )
        if kind in KEPT_CHUNKS:
            kept.append(raw[position:end])
            kinds.append(kind)
        elif not kind[0] & 0x20:
            raise _corrupt()  # a critical chunk no decoder may skip, and we do not know it
        position = end
        if kind == b"IEND":
            break
    idat = [n for n, kind in enumerate(kinds) if kind == b"IDAT"]
    if (not kinds or kinds[0] != b"IHDR" or kinds.count(b"IHDR") != 1 or not idat
            or idat[-1] - idat[0] + 1 != len(idat)):
        raise _corrupt()
    return b"".join(kept)


def _check_pixel_data(png: bytes, width: int, height: int) -> None:
    """The pixel data (the IDAT chunks of `png`, a PNG from _image_chunks) inflates to exactly
    the scanlines the header announces, each starting with one of the five filter types."""
    bit_depth, colour, _compression, _filter, interlace = png[24:29]
    if colour not in _CHANNELS or interlace > 1:
        raise _corrupt()
    bits = bit_depth * _CHANNELS[colour]
    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    rows = []  # (row count, bytes per row with its filter byte) of each pass
    for x0, y0, dx, dy in passes:
        columns, count = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and count > 0:
            rows.append((count, 1 + -(-(columns * bits) // 8)))
    expected = sum(count * stride for count, stride in rows)
    compressed, position = [], len(PNG_MAGIC)
    while position < len(png):
        length, kind = struct.unpack_from(">I4s", png, position)
        if kind == b"IDAT":
            compressed.append(png[position + 8:position + 8 + length])
        position += 12 + length
    inflater = zlib.decompressobj()
    data = inflater.decompress(b"".join(compressed), expected + 1)
    if len(data) != expected or not inflater.eof or inflater.unused_data:
        raise _corrupt()
    start = 0
    for count, stride in rows:
        if max(data[start:start + count * stride:stride]) > 4:
            raise _corrupt()
        start += count * stride


def make_thumbnail(png: bytes) -> bytes:
    """A small JPEG of the inked area on white, for lists (made after the signature commits)."""
    image = Image.open(io.BytesIO(png), formats=["PNG"]).convert("RGBA")
    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    flattened = Image.alpha_composite(white, image).convert("RGB")
    darkness = ImageChops.invert(image.convert("L"))
    bbox = ImageChops.multiply(image.getchannel("A"), darkness).point(_INK_LUT).getbbox()
    thumb = ImageOps.contain(flattened.crop(bbox) if bbox else flattened, THUMBNAIL_SIZE)
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=80)
    return out.getvalue()
