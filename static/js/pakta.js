// Behaviour every console page shares, here rather than in inline handlers: the
// Content-Security-Policy runs no inline script (no onsubmit="", no onchange="", no <script>).
(function () {
  "use strict";

  // <form data-confirm="Question?">: ask before sending.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined &&
        !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // <select data-autosubmit>: choosing is sending (the language menu).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.dataset.autosubmit !== undefined &&
        select.form) {
      select.form.submit();
    }
  });

  // A poll (live view, archive progress) answered by the login page, because the session
  // expired, must not be swapped into the page: go to the login page instead.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var login = document.body.dataset.loginUrl;
    var url = (event.detail.xhr && event.detail.xhr.responseURL) || "";
    if (login && url.indexOf(login) !== -1) {
      event.detail.shouldSwap = false;
      window.location.assign(url);
    }
  });
})();
