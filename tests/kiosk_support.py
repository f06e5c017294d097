"""Helpers shared by the kiosk tests: paired tablets, submissions, crafted bad images."""

from __future__ import annotations

import base64
import datetime
import io
import json
import struct
import uuid
import zlib

from django.urls import reverse
from django.utils import timezone
from PIL import Image

from signings.services import kiosk
from signings.services.context import AuditContext
from tests import factories


def pair(event, actor, name: str = "Tablet 1"):
    """A paired tablet: (device, token)."""
    code = kiosk.add_device(event=event, name=name, context=AuditContext.for_user(actor)).code
    return kiosk.pair_device(code=code, context=AuditContext())


def auth(token: str) -> dict:
    return {"Authorization": f"Device {token}"}


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def submission(event, employee, **overrides) -> dict:
    body = {
        "submission_id": str(uuid.uuid4()),
        "employee_id": employee.pk,
        "image": data_url(factories.signature_png()),
        "strokes": [[[10.0, 20.0, 0.0], [30.5, 40.0, 16.0], [60.0, 45.0, 33.0]]],
        "template_hash": event.template_version.content_hash,
        "client_signed_at": timezone.now().isoformat(),
        "client_sent_at": timezone.now().isoformat(),
        "agreed": True,
    }
    body.update(overrides)
    return body


def submit(client, token: str, body: dict | str, **extra):
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post(reverse("kiosk:api:submit"), payload, content_type="application/json",
                       headers=auth(token), **extra)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny file whose header claims a gigantic image (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + _chunk(b"IEND", b""))


def animated_png() -> bytes:
    frames = [Image.open(io.BytesIO(factories.signature_png())).convert("RGBA")
              for _ in range(2)]
    frames[1] = frames[1].rotate(10)
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:], duration=200,
                   loop=0)
    return out.getvalue()


def blank_png(width: int = 600, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (255, 255, 255, 0)).save(out, format="PNG")
    return out.getvalue()


def dot_png() -> bytes:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    for x in range(300, 315):
        for y in range(100, 115):
            image.putpixel((x, y), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(factories.signature_png())).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def png_with_text_chunk() -> bytes:
    """A valid signature PNG carrying metadata and trailing bytes a client smuggled in."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "smuggled")
    image = Image.open(io.BytesIO(factories.signature_png()))
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue() + b"TRAILING-BYTES"


def minutes_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=n)
