// The signature pad's canvas: sizing for the screen, and what leaves the tablet (a PNG cropped
// to the ink, and the strokes).

export function fitCanvas(canvas, pad) {
  const ratio = Math.max(window.devicePixelRatio || 1, 1);
  const data = pad ? pad.toData() : [];
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext("2d").scale(ratio, ratio);
  if (pad) {
    pad.clear();
    pad.fromData(data);
  }
}

export function inkBox(strokes) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, count = 0;
  for (const stroke of strokes) {
    for (const p of stroke.points) {
      minX = Math.min(minX, p.x); minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y);
      count += 1;
    }
  }
  return { minX, minY, maxX, maxY, count };
}

// The drawing, cropped to the ink with a margin and at most 900 px wide: small to store, send
// and check (the server decodes every pixel).
export function exportSignature(canvas, box) {
  const ratio = canvas.width / canvas.offsetWidth;
  const margin = 12;
  const sx = Math.max(0, (box.minX - margin) * ratio);
  const sy = Math.max(0, (box.minY - margin) * ratio);
  const sw = Math.min(canvas.width - sx, (box.maxX - box.minX + 2 * margin) * ratio);
  const sh = Math.min(canvas.height - sy, (box.maxY - box.minY + 2 * margin) * ratio);
  const scale = Math.min(1, 900 / sw);
  const out = document.createElement("canvas");
  out.width = Math.max(1, Math.round(sw * scale));
  out.height = Math.max(1, Math.round(sh * scale));
  out.getContext("2d").drawImage(canvas, sx, sy, sw, sh, 0, 0, out.width, out.height);
  return out.toDataURL("image/png");
}

export function compactStrokes(strokes) {
  const t0 = strokes.length && strokes[0].points.length ? strokes[0].points[0].time : 0;
  return strokes.slice(0, 200).map((s) =>
    s.points.slice(0, 2000).map((p) => [
      Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10, Math.round(p.time - t0),
    ]),
  );
}

// The first tap on "Simpan tanda tangan" right after drawing must count (signature_pad
// issues #635/#723: on Android Chrome a fast stroke can leave the finger's pointer captured
// by the canvas, so the next tap elsewhere is swallowed). Touches on the canvas are handled
// with non-passive listeners that stop scrolling and compatibility mouse events, and the
// pointer is released the moment the stroke ends.
export function guardPad(canvas) {
  const stop = (event) => { if (event.cancelable) event.preventDefault(); };
  for (const kind of ["touchstart", "touchmove", "touchend"]) {
    canvas.addEventListener(kind, stop, { passive: false });
  }
  const release = (event) => {
    if (canvas.hasPointerCapture && canvas.hasPointerCapture(event.pointerId)) {
      canvas.releasePointerCapture(event.pointerId);
    }
  };
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  canvas.addEventListener("gotpointercapture", (event) => {
    // Implicit touch capture is released on pointerup by the browser; an explicit one
    // taken while drawing must not outlive the stroke.
    if (event.pointerType !== "touch") return;
    window.addEventListener("pointerup", () => release(event), { once: true, capture: true });
  });
}
