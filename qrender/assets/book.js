// Reader comforts of the qrender site, switched on by Quarto's options in _quarto.yml
// (<body data-*> says which): the chapter menu on narrow screens, the light/dark toggle
// (`theme: {light, dark}`, remembered in localStorage), copy buttons on code blocks
// (`code-copy`) and figures that open larger on click (`lightbox: true`). No outside request.
(function () {
  "use strict";
  const body = document.body;
  const opts = body.dataset;

  // -- chapter menu (narrow screens) ---------------------------------------------------------
  const toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = body.classList.toggle("sidebar-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && body.classList.contains("sidebar-open") &&
          !document.getElementById("search-results")?.matches(":not([hidden])")) {
        body.classList.remove("sidebar-open");
        toggle.setAttribute("aria-expanded", "false");
      }
    });
  }

  // -- light / dark ----------------------------------------------------------------------------
  const themeButton = document.querySelector(".theme-toggle");
  if (themeButton) {
    const label = () => {
      const dark = document.documentElement.dataset.theme === "dark";
      themeButton.setAttribute("aria-pressed", String(dark));
      themeButton.title = dark ? "Switch to light mode" : "Switch to dark mode";
    };
    label();
    themeButton.addEventListener("click", () => {
      const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      try { localStorage.setItem("qrender-color-scheme", next); } catch (e) { /* storage off */ }
      label();
    });
  }

  // -- copy buttons ------------------------------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(() => fallbackCopy(text));
    }
    return fallbackCopy(text);
  }
  function fallbackCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  if (opts.codeCopy) {
    document.querySelectorAll("main div.sourceCode").forEach((block) => {
      const code = block.querySelector("pre code");
      if (!code) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "code-copy-button";
      button.title = "Copy to clipboard";
      button.setAttribute("aria-label", "Copy code to clipboard");
      button.textContent = "Copy";
      button.addEventListener("click", () => {
        copyText(code.innerText).then(() => {
          button.textContent = "Copied";
          button.classList.add("copied");
          setTimeout(() => { button.textContent = "Copy"; button.classList.remove("copied"); }, 1600);
        }, () => { button.textContent = "Copy failed"; });
      });
      block.classList.add("code-with-copy");
      block.appendChild(button);
    });
  }

  // -- lightbox ----------------------------------------------------------------------------------
  if (opts.lightbox) {
    let overlay = null;
    let opener = null;
    const closeBox = () => {
      if (!overlay) return;
      overlay.remove();
      overlay = null;
      if (opener) opener.focus();
    };
    const openBox = (img, link) => {
      opener = link;
      overlay = document.createElement("div");
      overlay.className = "lightbox-overlay";
      overlay.setAttribute("role", "dialog");
      overlay.setAttribute("aria-modal", "true");
      overlay.setAttribute("aria-label", img.alt || "Figure");
      const big = document.createElement("img");
      big.src = img.currentSrc || img.src;
      big.alt = img.alt;
      const close = document.createElement("button");
      close.type = "button";
      close.className = "lightbox-close";
      close.setAttribute("aria-label", "Close");
      close.textContent = "×";
      overlay.append(big, close);
      const caption = img.closest("figure")?.querySelector("figcaption");
      if (caption) {
        const cap = document.createElement("div");
        cap.className = "lightbox-caption";
        cap.textContent = caption.textContent;
        overlay.appendChild(cap);
      }
      overlay.addEventListener("click", (ev) => { if (ev.target !== big) closeBox(); });
      // as large as the window allows (up to 2.5 times the image's own size)
      const fit = () => {
        const w = img.naturalWidth || img.width;
        const h = img.naturalHeight || img.height;
        const scale = Math.min(0.94 * window.innerWidth / w, 0.8 * window.innerHeight / h, 2.5);
        big.style.width = Math.round(w * scale) + "px";
      };
      fit();
      document.body.appendChild(overlay);
      close.focus();
    };
    document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeBox(); });
    // as Quarto's `lightbox: true`: images of figures, and images alone in a paragraph
    document.querySelectorAll("main figure img, main p > img:only-child").forEach((img) => {
      if (img.closest("a")) return;
      const link = document.createElement("a");
      link.href = img.getAttribute("src");
      link.className = "lightbox";
      link.setAttribute("aria-label", "Enlarge: " + (img.alt || "figure"));
      img.replaceWith(link);
      link.appendChild(img);
      link.addEventListener("click", (ev) => { ev.preventDefault(); openBox(img, link); });
    });
  }
})();
