/* Luotsi's forms (feedback, booking requests): send in place, show the same messages as the
   no-JavaScript pages, keep a booking's estimate up to date and go on to its own page.
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
        if (data.ok && data.next) { location.assign(data.next); return; }
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
  function today() {
    var d = new Date();
    return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, "0"),
            String(d.getDate()).padStart(2, "0")].join("-");
  }
  function estimate(form) {
    var out = form.querySelector("[data-estimate]");
    var adults = Number(form.elements.adults.value), children = Number(form.elements.children.value || 0);
    var persons = adults + children;
    var money = new Intl.NumberFormat(form.dataset.locale, { style: "currency", currency: form.dataset.currency });
    var price = Number(form.dataset.price);
    out.textContent = Number.isInteger(adults) && Number.isInteger(children) && adults >= 1 &&
      children >= 0 && persons <= Number(form.dataset.max)
      ? persons + " × " + money.format(price) + " = " + money.format(price * persons) : "";
  }
  function booking(form) {
    /* The page as the visitor reached it, campaign included (a poster's code carries one),
       when it is the site's own address (not a proxy's or a translator's) and not too long. */
    var page = form.elements.page;
    try {
      if (new URL(page.value).origin === location.origin && location.href.length <= 2000)
        page.value = location.href;
    } catch (e) { /* keep the page's own address */ }
    var day = today(), date = form.querySelector("input[type=date]");
    if (date && (!date.min || date.min < day)) date.min = day;
    form.querySelectorAll("select[name=departure] option").forEach(function (option) {
      if (option.value < day && option.parentNode.options.length > 1) option.remove();
    });
    form.addEventListener("input", function () { estimate(form); });
    estimate(form);
  }
  document.querySelectorAll("form[data-page-from-location]").forEach(booking);
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
