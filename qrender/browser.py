"""Open rendered pages in headless Chromium and report what a reader's browser did.

Talks the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (no extra packages): every
request the page made (and which failed), whether each ``<img>`` loaded, how the MathML was
laid out, and the page's visible text. Used by the tests and by ``python -m qrender check``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PROBE = r"""
JSON.stringify({
  text: document.body.innerText,
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0,
                                                  width: i.getBoundingClientRect().width})),
  math: Array.from(document.querySelectorAll('math')).map(m => {
    const r = m.getBoundingClientRect();
    return {display: m.getAttribute('display') || 'inline', width: r.width, height: r.height,
            layout: getComputedStyle(m).display};
  }),
  fractions: Array.from(document.querySelectorAll('mfrac')).map(f => f.getBoundingClientRect().height),
  stylesheets: document.styleSheets.length,
})
"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    math: list[dict[str, Any]] = field(default_factory=list)
    fractions: list[float] = field(default_factory=list)
    stylesheets: int = 0

    @property
    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file://", "data:", "about:"))]

    def problems(self) -> list[str]:
        out = [f"outside request: {u}" for u in self.outside]
        out += [f"failed request: {u} ({why})" for u, why in self.failed]
        out += [f"image did not load: {i['src']}" for i in self.images if not i["ok"]]
        out += [f"math not laid out ({m['display']}, {m['width']}x{m['height']})" for m in self.math
                if m["width"] <= 0 or m["height"] <= 0]
        if self.stylesheets == 0:
            out.append("no stylesheet loaded")
        return out


class _Pipe:
    def __init__(self, exe: str, profile: str):
        to_chrome_r, self._to_chrome_w = os.pipe()
        self._from_chrome_r, from_chrome_w = os.pipe()

        def child() -> None:  # Chromium reads commands on fd 3 and writes answers on fd 4
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)  # never 3 or 4: those are open
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--disable-extensions", "--disable-quic", "--mute-audio",
             "--window-size=1280,1800", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child, close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"CDP {method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _read(self, deadline: float) -> dict[str, Any]:
        import select

        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._from_chrome_r], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome_r, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buf += chunk
        msg, _, self._buf = self._buf.partition(b"\0")
        return json.loads(msg)

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read(deadline))
        except TimeoutError:
            pass

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome_w)
        os.close(self._from_chrome_r)


def inspect_pages(paths: list[Path], settle: float = 0.6) -> list[PageReport]:
    """Load each page (file://) in one headless Chromium and report what happened."""
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium is not installed (apt-get install -y chromium)")
    reports = []
    with tempfile.TemporaryDirectory() as profile:
        pipe = _Pipe(exe, profile)
        try:
            for path in paths:
                url = Path(path).resolve().as_uri()
                target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
                session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
                for domain in ("Network.enable", "Page.enable", "Runtime.enable"):
                    pipe.send(domain, session=session)
                pipe.events.clear()
                pipe.send("Page.navigate", {"url": url}, session=session)
                deadline = time.monotonic() + 20
                while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session
                              for e in pipe.events):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{url} did not finish loading")
                    pipe.pump(0.2)
                pipe.pump(settle)
                probe = pipe.send("Runtime.evaluate", {"expression": _PROBE, "returnByValue": True}, session=session)
                data = json.loads(probe["result"]["value"])
                report = PageReport(url, text=data["text"], images=data["images"], math=data["math"],
                                    fractions=data["fractions"], stylesheets=data["stylesheets"])
                ids: dict[str, str] = {}
                for e in pipe.events:
                    if e.get("sessionId") != session:
                        continue
                    p = e.get("params", {})
                    if e.get("method") == "Network.requestWillBeSent":
                        ids[p["requestId"]] = p["request"]["url"]
                        report.requests.append(p["request"]["url"])
                    elif e.get("method") == "Network.loadingFailed":
                        report.failed.append((ids.get(p["requestId"], "?"), p.get("errorText", "")))
                    elif e.get("method") == "Network.responseReceived" and p["response"].get("status", 200) >= 400:
                        report.failed.append((p["response"]["url"], f"HTTP {p['response']['status']}"))
                reports.append(report)
                pipe.send("Target.closeTarget", {"targetId": target})
        finally:
            pipe.close()
    return reports
