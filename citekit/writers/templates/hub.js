(function () {
  "use strict";
  var doc = document;
  var input = doc.getElementById("q");
  var count = doc.getElementById("count");
  var none = doc.getElementById("none");
  var status = doc.getElementById("status");
  var copied = doc.getElementById("copied");
  var links = Array.prototype.slice.call(doc.querySelectorAll("nav a[data-c]"));
  var sections = [];
  var entries = [];
  Array.prototype.forEach.call(doc.querySelectorAll("section.coll"), function (el) {
    var section = { el: el, path: el.getAttribute("data-c"), shown: 0, inside: true };
    var items = el.querySelectorAll("li.entry");
    section.empty = items.length === 0;
    sections.push(section);
    for (var i = 0; i < items.length; i++) {
      entries.push({ el: items[i], s: items[i].getAttribute("data-s"),
        key: items[i].getAttribute("data-key"), section: section });
    }
  });
  var more = doc.getElementById("more");
  // Showing thousands of entries again costs seconds of style and layout per keystroke:
  // at most LIMIT matches are shown until the reader asks for all of them.
  var LIMIT = 200;
  var state = { q: "", c: "", all: false };

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function within(path) {
    return state.c === "" || path === state.c || path.indexOf(state.c + "/") === 0;
  }

  function show(el, visible) {
    if (el.hidden === visible) { el.hidden = !visible; }
  }

  function apply() {
    var words = fold(state.q).split(/\s+/).filter(Boolean);
    var seen = Object.create(null);
    var found = 0;
    sections.forEach(function (s) { s.shown = 0; s.inside = within(s.path); });
    entries.forEach(function (e) {
      var visible = e.section.inside;
      for (var i = 0; visible && i < words.length; i++) {
        visible = e.s.indexOf(words[i]) !== -1;
      }
      if (visible && !seen[e.key]) { seen[e.key] = true; found += 1; }
      visible = visible && (state.all || found <= LIMIT);
      show(e.el, visible);
      if (visible) { e.section.shown += 1; }
    });
    sections.forEach(function (s) {
      show(s.el, s.inside && (s.shown > 0 || (s.empty && words.length === 0)));
    });
    count.textContent = found + (found === 1 ? " entry" : " entries") +
      (words.length || state.c ? " match" + (found === 1 ? "es" : "") : "");
    show(none, found === 0);
    show(more, !state.all && found > LIMIT);
    more.textContent = "Show all " + found + " matches";
    links.forEach(function (a) {
      if (a.getAttribute("data-c") === state.c) { a.setAttribute("aria-current", "true"); }
      else { a.removeAttribute("aria-current"); }
    });
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (state.q) { params.set("q", state.q); }
    if (state.c) { params.set("c", state.c); }
    var hash = params.toString();
    var url = hash ? "#" + hash : location.pathname + location.search;
    try { history.replaceState(null, "", url); } catch (err) { location.hash = hash; }
  }

  function readHash() {
    var hash = location.hash.slice(1);
    if (hash.indexOf("=") === -1) { return false; }
    var params = new URLSearchParams(hash);
    state.q = params.get("q") || "";
    state.c = params.get("c") || "";
    input.value = state.q;
    return true;
  }

  function fallbackCopy(text) {
    var area = doc.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    doc.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (err) { ok = false; }
    doc.body.removeChild(area);
    return ok;
  }

  function copy(button) {
    var entry = button.closest("li.entry");
    var fmt = button.getAttribute("data-fmt");
    var text = entry.querySelector('pre[data-fmt="' + fmt + '"]').textContent;
    var what = button.textContent.replace(/^Copy /, "") + " of " + entry.getAttribute("data-key");
    copied.textContent = text;
    function done(ok) {
      status.textContent = ok ? "Copied " + what : "Could not copy: open the entry's BibTeX and select it";
      setTimeout(function () { status.textContent = ""; }, 4000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); },
        function () { done(fallbackCopy(text)); });
    } else {
      done(fallbackCopy(text));
    }
  }

  Array.prototype.forEach.call(doc.querySelectorAll("[data-js]"), function (el) { el.hidden = false; });
  doc.getElementById("find").addEventListener("submit", function (ev) { ev.preventDefault(); });
  input.addEventListener("input", function () {
    state.q = input.value;
    state.all = false;
    apply();
    writeHash();
  });
  more.addEventListener("click", function () { state.all = true; apply(); });
  links.forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      state.c = a.getAttribute("data-c");
      state.all = false;
      apply();
      writeHash();
    });
  });
  doc.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("p.copy button");
    if (button) { copy(button); }
  });
  window.addEventListener("hashchange", function () { if (readHash()) { apply(); } });
  readHash();
  apply();
}());
