// Officer-screen signature pad: draws with signature_pad and posts a PNG data URL.
(function () {
  "use strict";
  var form = document.getElementById("signature-form");
  var holder = form && form.querySelector("[data-signature-pad]");
  if (!holder || typeof SignaturePad === "undefined") { return; }
  var canvas = holder.querySelector("canvas");
  var input = holder.querySelector("input[name=signature]");
  var pad = new SignaturePad(canvas, { penColor: "rgb(20, 30, 90)", minWidth: 1, maxWidth: 3 });

  function resize() {
    // Match the canvas buffer to its displayed size so strokes land under the pen.
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  resize();

  holder.querySelector("[data-clear]").addEventListener("click", function () {
    pad.clear();
    input.value = "";
  });
  form.addEventListener("submit", function () {
    input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
