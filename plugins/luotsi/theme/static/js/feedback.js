/* Luotsi feedback forms: send in place, show the same messages as the no-JavaScript pages.
   Without this file every form still works: it posts, and the service answers with a page. */
(function () {
  "use strict";
  function fetchToken(form) {
    if (form.dataset.tokenPromise) return;
    form.dataset.tokenPromise = "1";
    fetch(form.dataset.tokenUrl, { credentials: "omit", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) setToken(form, data); })
      .catch(function () { /* the service answers the plain POST instead */ });
  }
  function setToken(form, data) {
    form.elements.token.value = data.token || "";
    var question = form.querySelector(".question");
    if (question) {
      question.hidden = !data.question;
      var text = question.querySelector("[data-question]");
      if (text) text.textContent = data.question || "";
    }
  }
  function show(form, data) {
    form.querySelector(".form-status").textContent = data.message || "";
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      var name = el.getAttribute("data-error-for");
      var message = (data.errors || {})[name] || "";
      el.textContent = message;
      var field = form.elements[name];
      if (field && field.setAttribute) {
        if (message) field.setAttribute("aria-invalid", "true");
        else field.removeAttribute("aria-invalid");
      }
    });
  }
  function submit(event) {
    var form = event.target;
    if (!form.elements.token.value) return; /* no token yet: let the browser post it */
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) body.set(event.submitter.name, event.submitter.value);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: "POST", body: body, credentials: "omit",
                         headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(form, data);
        if (data.ok) {
          form.classList.add("sent");
          form.querySelectorAll("input, textarea, select, button").forEach(function (el) { el.disabled = true; });
        } else {
          if (data.token) setToken(form, data);
          buttons.forEach(function (b) { b.disabled = false; });
        }
      })
      .catch(function () { form.submit(); });
  }
  document.querySelectorAll("form[data-luotsi-feedback]").forEach(function (form) {
    form.addEventListener("focusin", function () { fetchToken(form); });
    form.addEventListener("pointerdown", function () { fetchToken(form); });
    form.addEventListener("submit", submit);
  });
  var back = document.querySelector("[data-back-link]");
  var from = new URLSearchParams(location.search).get("from");
  if (back && from) {
    try {
      var url = new URL(from);
      if (url.origin === location.origin) back.href = url.href;
    } catch (e) { /* not a URL: keep the home page */ }
  }
}());
