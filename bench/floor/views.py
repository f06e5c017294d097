"""What any Django app must do for a kiosk submission, and nothing more: read the same JSON
body Pakta reads, decode the base64 PNG and every pixel of it, insert one row."""

from __future__ import annotations

import base64
import io
import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from PIL import Image

from bench.floor.models import FloorSignature


@csrf_exempt
@require_POST
def submit(request: HttpRequest) -> JsonResponse:
    data = json.loads(request.body)
    _header, _sep, payload = data["image"].partition(",")
    png = base64.b64decode(payload, validate=True)
    image = Image.open(io.BytesIO(png), formats=["PNG"])
    image.load()
    row = FloorSignature.objects.create(
        submission_id=data["submission_id"], employee_id=data["employee_id"],
        width=image.width, height=image.height, png=png,
    )
    return JsonResponse({"status": "recorded", "id": row.pk}, status=201)
