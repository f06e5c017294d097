"""The stored signature PNG: the client's image chunks only, pixel data checked to the byte."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from signings.signature_image import SignatureImageError, clean_signature_png
from tests import factories

MAGIC = b"\x89PNG\r\n\x1a\n"


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    found, position = [], len(MAGIC)
    while position < len(png):
        length, kind = struct.unpack_from(">I4s", png, position)
        found.append((kind, png[position + 8:position + 8 + length]))
        position += 12 + length
    return found


def build(parts: list[tuple[bytes, bytes]]) -> bytes:
    return MAGIC + b"".join(chunk(kind, data) for kind, data in parts)


def rgba_png(scanlines: bytes, width: int, height: int, interlace: int = 0) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, interlace)
    return build([(b"IHDR", header), (b"IDAT", zlib.compress(scanlines)), (b"IEND", b"")])


def drawing() -> Image.Image:
    return Image.open(io.BytesIO(factories.signature_png())).convert("RGBA")


def plain_scanlines(image: Image.Image) -> bytes:
    """Every row with filter type 0 (none), as an encoder may write them."""
    width, height = image.size
    raw = image.tobytes()
    return b"".join(b"\x00" + raw[y * width * 4:(y + 1) * width * 4] for y in range(height))


def refused_code(png: bytes) -> str:
    with pytest.raises(SignatureImageError) as refused:
        clean_signature_png(png)
    return refused.value.code


def test_stored_png_keeps_the_clients_pixel_data_and_drops_everything_else():
    original = factories.signature_png()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "smuggled")
    out = io.BytesIO()
    Image.open(io.BytesIO(original)).save(out, format="PNG", pnginfo=info,
                                          icc_profile=b"not really a profile")
    sent = out.getvalue() + b"TRAILING-BYTES"

    stored = clean_signature_png(sent).png

    assert [kind for kind, _data in chunks(stored)] == [b"IHDR", b"IDAT", b"IEND"]
    # Not re-encoded: the compressed pixel data is the client's, byte for byte.
    assert [d for k, d in chunks(stored) if k == b"IDAT"] == \
        [d for k, d in chunks(sent) if k == b"IDAT"]
    assert b"smuggled" not in stored and b"TRAILING" not in stored
    assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


@pytest.mark.parametrize("mode", ["P", "LA", "L", "RGB"])
def test_other_png_colour_types_are_accepted(mode):
    out = io.BytesIO()
    image = drawing()
    if mode in {"L", "RGB"}:
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    image.convert(mode).save(out, format="PNG")
    stored = clean_signature_png(out.getvalue()).png
    assert Image.open(io.BytesIO(stored)).mode == mode


def test_interlaced_png_is_accepted():
    image = drawing()
    width, height = image.size
    pixels = image.tobytes()
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
              (1, 0, 2, 2), (0, 1, 1, 2))
    scanlines = b""
    for x0, y0, dx, dy in passes:
        for y in range(y0, height, dy):
            row = b"".join(pixels[(y * width + x) * 4:(y * width + x + 1) * 4]
                           for x in range(x0, width, dx))
            if row:
                scanlines += b"\x00" + row
    stored = clean_signature_png(rgba_png(scanlines, width, height, interlace=1)).png
    assert Image.open(io.BytesIO(stored)).convert("RGBA").tobytes() == pixels


def test_pixel_data_with_extra_rows_is_refused():
    image = drawing()
    scanlines = plain_scanlines(image)
    padded = scanlines + scanlines[: 1 + image.width * 4]
    assert refused_code(rgba_png(padded, *image.size)) == "image.corrupt"


def test_pixel_data_short_of_the_last_rows_is_refused():
    image = drawing()
    short = plain_scanlines(image)[: -(1 + image.width * 4)]
    assert refused_code(rgba_png(short, *image.size)) == "image.corrupt"


def test_bytes_hidden_after_the_compressed_stream_are_refused():
    image = drawing()
    stream = zlib.compress(plain_scanlines(image)) + b"hidden payload"
    header = struct.pack(">IIBBBBB", *image.size, 8, 6, 0, 0, 0)
    png = build([(b"IHDR", header), (b"IDAT", stream), (b"IEND", b"")])
    assert refused_code(png) == "image.corrupt"


def test_an_unknown_filter_type_is_refused():
    image = drawing()
    scanlines = bytearray(plain_scanlines(image))
    scanlines[(1 + image.width * 4) * 10] = 7
    assert refused_code(rgba_png(bytes(scanlines), *image.size)) == "image.corrupt"


def test_a_wrong_crc_is_refused():
    png = bytearray(factories.signature_png())
    png[40] ^= 0xFF  # inside the first IDAT's data
    assert refused_code(bytes(png)) == "image.corrupt"


def test_a_png_without_its_end_is_refused():
    png = factories.signature_png()
    assert refused_code(png[: png.rindex(b"IEND") - 4]) == "image.corrupt"


def test_an_unknown_critical_chunk_is_refused():
    parts = chunks(factories.signature_png())
    parts.insert(1, (b"ZZZZ", b"must be understood"))
    assert refused_code(build(parts)) == "image.corrupt"


def pixel_data_split_around(chunk: tuple[bytes, bytes]) -> bytes:
    """A signature PNG whose pixel data comes in two IDAT chunks with `chunk` between them."""
    parts = chunks(factories.signature_png())
    data = next(d for k, d in parts if k == b"IDAT")
    return build([(b"IHDR", parts[0][1]), (b"IDAT", data[:20]), chunk,
                  (b"IDAT", data[20:]), (b"IEND", b"")])


def test_pixel_data_split_around_a_kept_chunk_is_refused():
    png = pixel_data_split_around((b"tRNS", b"\x00\x01"))
    assert refused_code(png) == "image.corrupt"


def test_pixel_data_split_around_a_dropped_chunk_is_stored_joined():
    stored = clean_signature_png(pixel_data_split_around((b"tEXt", b"a\x00b"))).png
    assert [kind for kind, _data in chunks(stored)] == [b"IHDR", b"IDAT", b"IDAT", b"IEND"]
