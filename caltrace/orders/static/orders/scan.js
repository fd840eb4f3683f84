// Scanning a sample label with the phone camera where the browser has the BarcodeDetector API.
// Without it the button stays hidden: a USB scanner (which types the code and Enter into the
// autofocused box) or typing by hand works everywhere.
(function () {
  "use strict";

  function start() {
    var button = document.getElementById("scan-camera");
    var form = document.getElementById("scan-form");
    if (!button || !form) return;
    var input = form.querySelector("input[name=code]");
    var video = document.getElementById("scan-video");
    var status = document.getElementById("scan-status");
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var detector;
      try {
        detector = new window.BarcodeDetector({ formats: ["qr_code", "code_128"] });
      } catch (e) {
        status.textContent = button.dataset.unsupported;
        return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
        var tick = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stop();
              input.value = codes[0].rawValue;
              form.submit();
            } else {
              window.requestAnimationFrame(tick);
            }
          }).catch(function () { window.requestAnimationFrame(tick); });
        };
        tick();
      }).catch(function () {
        status.textContent = button.dataset.denied;
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
