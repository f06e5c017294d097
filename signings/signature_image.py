"""Checking and normalising a drawn signature image before it is stored.

Every client (kiosk API, officer's browser pad) sends a PNG; we refuse anything else, decode it
with guards against decompression bombs, refuse blank or trivially small drawings, and store a
clean re-encoded PNG (dropping any metadata or trailing bytes a client smuggled in).

This runs inside the signing request, at hundreds of submissions a second, so it does only
what refusing bad input needs: decode once, measure the ink with whole-image operations, and
re-encode with fast settings. The thumbnail is made afterwards, in a background task
(`make_thumbnail`).
"""

from __future__ import annotations

import base64
import binascii
import io
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
    try:
        image = Image.open(io.BytesIO(raw), formats=["PNG"])
        # The header is read without decoding pixels: check its claims before loading.
        width, height = image.size
        if width > MAX_WIDTH or height > MAX_HEIGHT or width < 1 or height < 1:
            raise SignatureImageError(
                "image.dimensions",
                _("Ukuran gambar tanda tangan tidak wajar (%(w)d×%(h)d piksel).")
                % {"w": width, "h": height},
            )
        if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
            raise SignatureImageError(
                "image.animated", _("Gambar tanda tangan tidak boleh beranimasi.")
            )
        # verify() walks every chunk and its CRC. It is needed because WeasyPrint, once
        # imported, sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process, and load()
        # would then accept a cut-off PNG as a partly blank drawing.
        image.verify()
        image = Image.open(io.BytesIO(raw), formats=["PNG"])
        image.load()
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    except SignatureImageError:
        raise
    except Image.DecompressionBombError:
        # Pillow refuses, at open, headers claiming far more pixels than it allows.
        raise SignatureImageError(
            "image.dimensions", _("Ukuran gambar tanda tangan tidak wajar.")
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise SignatureImageError(
            "image.corrupt", _("Gambar tanda tangan tidak dapat dibaca.")
        ) from None

    # Ink strength = opacity × darkness; one C-level pass instead of compositing on white.
    darkness = ImageChops.invert(rgba.convert("L"))
    ink_mask = ImageChops.multiply(rgba.getchannel("A"), darkness).point(_INK_LUT)
    ink_pixels = ink_mask.histogram()[255]
    bbox = ink_mask.getbbox()
    if not bbox or ink_pixels < MIN_INK_PIXELS:
        raise SignatureImageError(
            "image.blank", _("Tanda tangan kosong atau terlalu kecil. Silakan tanda tangani lagi.")
        )
    span = max(bbox[2] - bbox[0], bbox[3] - bbox[1])
    if span < MIN_INK_SPAN:
        raise SignatureImageError(
            "image.too_small", _("Tanda tangan terlalu kecil. Silakan tanda tangani lagi.")
        )
    return CleanSignature(png=encode_png(rgba), width=width, height=height)


def encode_png(rgba: Image.Image) -> bytes:
    """Re-encode with Pillow's fastest deflate level: the request is the hot path, and the
    drawing is small enough that stronger compression saves only a few kilobytes."""
    out = io.BytesIO()
    rgba.save(out, format="PNG", compress_level=1)
    return out.getvalue()


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
