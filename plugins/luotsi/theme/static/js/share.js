/* Offer the browser's own share sheet (Web Share API) where there is one; the plain links
   stay for everyone else. Nothing is sent anywhere unless the visitor shares. */
(function () {
  "use strict";
  if (!navigator.share) return;
  document.querySelectorAll("button[data-share]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ title: button.dataset.title, url: button.dataset.url })
        .catch(function () { /* the visitor closed the sheet */ });
    });
  });
}());
