// Full-text search of the book, offline: the index (search-index.js, written at render time, one
// entry per section like Quarto's search.json) and Fuse.js (vendored, fuse.min.js) are loaded
// from this site on first use; nothing is requested from elsewhere.
(function () {
  "use strict";
  const input = document.getElementById("search-input");
  const list = document.getElementById("search-results");
  if (!input || !list) return;
  const root = document.body.dataset.siteRoot || "";
  const lib = root + "site_libs/qrender/";
  // Quarto's Fuse options (quarto-search.js: keys and weights, ignoreLocation, threshold); the
  // field-length norm is off so that sections rank by match, then by their order in the book.
  const options = {
    keys: [{ name: "title", weight: 20 }, { name: "section", weight: 20 }, { name: "text", weight: 10 }],
    ignoreLocation: true, ignoreFieldNorm: true, threshold: 0.1, includeMatches: true, minMatchCharLength: 2,
  };
  let fuse = null;
  let loading = null;
  let active = -1;
  let results = [];

  function load(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error("cannot load " + src));
      document.head.appendChild(s);
    });
  }

  function ready() {
    if (!loading) {
      loading = Promise.all([load(lib + "fuse.min.js"), load(lib + "search-index.js")]).then(() => {
        fuse = new window.Fuse(window.QRENDER_SEARCH_INDEX || [], options);
      });
    }
    return loading;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function highlight(text, query) {
    const words = query.trim().split(/\s+/).filter((w) => w.length > 1)
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const safe = escapeHtml(text);
    if (!words.length) return safe;
    return safe.replace(new RegExp("(" + words.map(escapeHtml).join("|") + ")", "gi"), "<mark>$1</mark>");
  }

  function snippet(text, query) {
    const lower = text.toLowerCase();
    const words = query.toLowerCase().trim().split(/\s+/);
    let at = -1;
    for (const w of words) { at = lower.indexOf(w); if (at >= 0) break; }
    if (at < 0) return text.slice(0, 160) + (text.length > 160 ? "…" : "");
    const start = Math.max(0, at - 60);
    const end = Math.min(text.length, at + 110);
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  function select(i) {
    const items = list.querySelectorAll("[role=option]");
    items.forEach((el, k) => el.setAttribute("aria-selected", String(k === i)));
    active = i;
    if (i >= 0 && items[i]) {
      items[i].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", items[i].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    select(-1);
  }

  function render(query) {
    list.innerHTML = "";
    if (!query.trim()) { close(); return; }
    results = fuse.search(query, { limit: 20 });
    if (!results.length) {
      list.innerHTML = '<li class="search-empty">No results for “' + escapeHtml(query) + "”</li>";
    }
    results.forEach((r, k) => {
      const e = r.item;
      const li = document.createElement("li");
      li.id = "search-result-" + k;
      li.setAttribute("role", "option");
      li.innerHTML = '<a href="' + root + e.href + '">' +
        '<span class="search-result-chapter">' + escapeHtml(e.title) + "</span>" +
        (e.section ? '<span class="search-result-section">' + highlight(e.section, query) + "</span>" : "") +
        '<span class="search-result-snippet">' + highlight(snippet(e.text, query), query) + "</span></a>";
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    select(results.length ? 0 : -1);
  }

  function search() {
    const query = input.value;
    ready().then(() => { if (input.value === query) render(query); })
      .catch((err) => { list.innerHTML = '<li class="search-empty">' + escapeHtml(err.message) + "</li>"; list.hidden = false; });
  }

  input.addEventListener("focus", ready);
  input.addEventListener("input", search);
  input.addEventListener("keydown", (ev) => {
    const n = list.querySelectorAll("[role=option]").length;
    if (ev.key === "ArrowDown" && n) { ev.preventDefault(); select((active + 1) % n); }
    else if (ev.key === "ArrowUp" && n) { ev.preventDefault(); select((active - 1 + n) % n); }
    else if (ev.key === "Enter" && active >= 0) {
      ev.preventDefault();
      const a = list.querySelectorAll("[role=option] a")[active];
      if (a) window.location.href = a.href;
    } else if (ev.key === "Escape") {
      if (!list.hidden) { close(); } else { input.value = ""; input.blur(); }
    }
  });
  document.addEventListener("keydown", (ev) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (!typing && (ev.key === "/" || ((ev.ctrlKey || ev.metaKey) && ev.key === "k"))) {
      ev.preventDefault();
      document.body.classList.add("sidebar-open");
      input.focus();
    }
  });
  document.addEventListener("click", (ev) => {
    if (!ev.target.closest(".sidebar-search")) close();
  });
})();
