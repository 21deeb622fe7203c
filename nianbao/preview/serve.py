"""``python build.py serve``: a local preview that rebuilds on every change and reloads the browser.

One build at startup, then a rebuild after each burst of changes under ``content/`` and
``templates/`` (``nianbao.preview.watch``: the system reports them; ``--poll`` looks every 0.3 s). Each
build runs in a child process started ahead (``nianbao.preview.build_child``): the server has threads and
must not fork, a child may. The site folder
is served over http; every HTML page gets, on the fly and never on disk, a same-origin script
(``/__nianbao__/reload.js``, allowed by the pages' Content-Security-Policy) that follows
``/__nianbao__/events`` (server-sent events) and reloads the page after each good build. A
failed build keeps the last good site served and lists its errors in the terminal and in a
banner on every page (styled by ``/__nianbao__/reload.css``).
"""

from __future__ import annotations

import errno
import html
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from nianbao import pipeline
from nianbao.preview import build_child
from nianbao.preview.watch import Watcher
from nianbao.publishing.search_index import stop_indexing

PREFIX = "/__nianbao__/"
ASSETS = Path(__file__).resolve().parent / "serve_assets"  # reload.js, reload.css
TYPES = {  # by suffix, not from the system's mime.types; anything else (.pagefind, .pf_*) is binary
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml", ".png": "image/png", ".xml": "application/xml",
    ".zip": "application/zip", ".wasm": "application/wasm",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NOT_FOUND = b"<!doctype html><html lang=en><head><meta charset=utf-8><title>404</title></head>" \
            b"<body><h1>404</h1><p>Not found (and the site has no 404.html yet).</p></body></html>"


def run_build(content: Path, data_dir: Path, site_dir: Path, cache_dir: Path | None,
              jobs: int | None, progress=None) -> build_child.Built:
    """The one call into the build (keyword arguments only, so new options go here): in a
    child process, which uses every core (``nianbao.preview.build_child``)."""
    return build_child.build_in_child(content, data_dir, site_dir, cache_dir, jobs, progress is not None)


_indexing = threading.Lock()  # held while an index is made
_wanted = threading.Event()  # a good build is not in the index yet


class _Superseded(Exception):
    """A build started while the index was being made: it would be of the site before it."""


def index_in_background(site_dir: Path, status: Status | None = None) -> None:
    """The search index after a good build, in a thread of its own: an edit shows at once, the
    search finds it a little later. A build that ends while an index is made has its own made
    after it, so the index always ends up holding the last good build; and a build that starts
    while the index reads the pages (Python work, which would slow the build down) has it
    abandoned (and Pagefind stopped, see ``_rebuild``), to be made again once the build is over."""
    def between() -> None:
        if status is not None and status.building:
            raise _Superseded

    def run() -> None:
        while _wanted.is_set() and not (status is not None and status.closed):
            if not _indexing.acquire(blocking=False):
                return  # the one running looks again when it is done
            try:
                if not _wanted.is_set():
                    continue
                _wanted.clear()
                start = time.perf_counter()
                n = pipeline.index_search(site_dir, between)
                print(f"[{time.strftime('%H:%M:%S')}] search index: {n} files in "
                      f"{time.perf_counter() - start:.1f} s", flush=True)
            except Exception as exc:
                if isinstance(exc, _Superseded) or (status is not None and status.building):
                    # abandoned, or Pagefind stopped, for a build: made again once it is over
                    _wanted.set()  # (of the site as it is then: a failed build leaves the last
                    if status is not None:  # good one, and asks for no index itself)
                        status.idle()
                else:  # the preview goes on without it
                    print(f"warning: search index not made: {exc}", file=sys.stderr, flush=True)
            finally:
                _indexing.release()
    _wanted.set()
    threading.Thread(target=run, name="search-index", daemon=True).start()


class Status:
    """What the pages follow: the last good build, whether a build runs, the last build's errors."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.run = f"{os.getpid():x}{time.time_ns() & 0xffffff:x}"  # a restarted server differs
        self.good = 0
        self.building = False
        self.errors: list[str] = []
        self.version = 0
        self.closed = False

    def update(self, **changes) -> None:
        with self.cond:
            for name, value in changes.items():
                setattr(self, name, value)
            self.version += 1
            self.cond.notify_all()

    def idle(self) -> None:
        """Wait until no build runs (or the server closes)."""
        with self.cond:
            self.cond.wait_for(lambda: not self.building or self.closed)

    @property
    def build_id(self) -> str:
        return f"{self.run}-{self.good}"

    def wait(self, seen: int, timeout: float) -> tuple[int, str]:
        """(version, JSON state) once the state differs from ``seen``, or after ``timeout``."""
        with self.cond:
            self.cond.wait_for(lambda: self.version != seen or self.closed, timeout)
            state = {"build": self.build_id, "building": self.building, "errors": self.errors}
            return self.version, json.dumps(state, ensure_ascii=False)


class Handler(BaseHTTPRequestHandler):
    site: Path
    status: Status
    server_version = "nianbao-serve"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        url = urlsplit(self.path)
        name = url.path[len(PREFIX):] if url.path.startswith(PREFIX) else None
        if name == "events" and not head:
            return self._events()
        if name in ("reload.js", "reload.css"):
            return self._send(200, (ASSETS / name).read_bytes(), TYPES[Path(name).suffix], head)
        parts = [p for p in unquote(url.path).split("/") if p not in ("", ".")]
        if name is not None or any(p == ".." or "\\" in p or "\0" in p for p in parts):
            return self._not_found(head)
        for _ in range(20):  # a build may swap the site folder in by two renames: wait that out
            if self.site.is_dir() or not self.status.building:
                break
            time.sleep(0.05)
        path = self.site.joinpath(*parts)
        if path.is_dir() and not url.path.endswith("/"):  # relative links need the slash
            query = f"?{url.query}" if url.query else ""
            return self._send(301, b"", "text/plain", head, quote("/".join(["", *parts, ""])) + query)
        path = path / "index.html" if path.is_dir() else path
        try:
            body = path.read_bytes()
        except OSError:
            return self._not_found(head)
        return self._send(200, body, TYPES.get(path.suffix.lower(), "application/octet-stream"), head)

    def _not_found(self, head: bool) -> None:
        self.log_error("404 %s", self.path)
        try:
            body = (self.site / "404.html").read_bytes()
        except OSError:
            body = NOT_FOUND
        self._send(404, body, TYPES[".html"], head)

    def _send(self, code: int, body: bytes, kind: str, head: bool, location: str = "") -> None:
        if kind.startswith("text/html"):
            body = inject(body, self.status)
        self.send_response(code)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the state now, then at every change (a comment every 15 s)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not self.status.closed:
                version, state = self.status.wait(seen, 15)
                self.wfile.write(f"data: {state}\n\n".encode() if version != seen else b": ping\n\n")
                self.wfile.flush()
                seen = version
        except OSError:  # the page went away
            pass

    def log_message(self, format: str, *args) -> None:  # only 404s (log_error) are shown
        if format.startswith("404"):
            sys.stderr.write(f"not found: {args[0]}\n")


def inject(page: bytes, status: Status) -> bytes:
    """The page with the reload script (and, after a failed build, the error banner) before </body>."""
    extra = ['<link rel="stylesheet" href="/__nianbao__/reload.css">']
    if status.errors:
        lines = html.escape("\n\n".join(status.errors))
        extra.append('<div id="nianbao-serve" class="nianbao-serve nianbao-serve-failed" role="alert">'
                     f'<p>构建失败 · build failed: the last good site is shown</p><pre>{lines}</pre></div>')
    extra.append(f'<script src="/__nianbao__/reload.js" data-build="{status.build_id}" defer></script>')
    at = page.lower().rfind(b"</body>")
    at = len(page) if at < 0 else at
    return page[:at] + "\n".join(extra).encode("utf-8") + b"\n" + page[at:]


def _rebuild(options: dict, status: Status, progress=None) -> None:
    status.update(building=True)
    if _indexing.locked():  # an index of the site before this build: it would take the cores
        stop_indexing()  # the build needs (the index is made again after it)
    built = run_build(progress=progress, **options)
    if built.crash:  # a template's syntax (located), or a bug (its traceback shown): keep serving
        print(built.crash, file=sys.stderr, flush=True)
        return status.update(building=False, errors=[built.crash])
    for text in built.diagnostics:
        print(text, file=sys.stderr)
    stamp = time.strftime("%H:%M:%S")
    if built.errors:
        print(f"[{stamp}] error: {len(built.errors)} problem(s) in the content; still serving "
              "the last good site", file=sys.stderr, flush=True)
        return status.update(building=False, errors=built.errors)
    print(f"[{stamp}] built {built.reports} report(s), {built.pages} pages, {built.files} "
          f"files in {built.seconds:.1f} s; {built.warnings} warning(s)", flush=True)
    status.update(building=False, errors=[], good=status.good + 1)
    index_in_background(options["site_dir"], status)


def _watch(roots: list[Path], options: dict, status: Status, stop: threading.Event,
           url: str, progress=None, force_polling: bool | None = None) -> None:
    """The first build, then a rebuild after every burst of changes (``nianbao.preview.watch``), until
    ``stop``."""
    watcher = Watcher(roots, stop, force_polling=force_polling)  # a save during a build counts
    print(f"building {options['content']} …", flush=True)
    _rebuild(options, status, progress)
    if stop.is_set():
        return
    print(f"serving {options['site_dir']} at {url}  (watching {', '.join(map(str, roots))}; "
          "Ctrl-C stops)", flush=True)
    while (paths := watcher.next()) is not None:
        more = f" (+{len(paths) - 3} more)" if len(paths) > 3 else ""
        print(f"changed: {', '.join(paths[:3])}{more}", flush=True)
        _rebuild(options, status)


def serve(content: Path, data_dir: Path, site_dir: Path, host: str = "127.0.0.1", port: int = 8000,
          cache_dir: Path | None = None, jobs: int | None = None, progress=None,
          force_polling: bool | None = None) -> int:
    """Build, serve ``site_dir`` and rebuild on every change until Ctrl-C (exit 0); 1 if the
    address cannot be used."""
    status = Status()
    handler = type("Handler", (Handler,), {"site": site_dir, "status": status})
    # Closing does not wait for the request threads: a browser's idle connection (opened ahead of
    # a request) holds one until the browser closes it.
    server_class = type("Server", (ThreadingHTTPServer,), {"block_on_close": False})
    if ":" in host:
        server_class = type("Server6", (server_class,), {"address_family": socket.AF_INET6})
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        why = "address already in use (is another server running? try --port)" \
            if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        print(f"error: cannot serve on {host}:{port}: {why}", file=sys.stderr)
        return 1
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_address[1]}/"
    options = dict(content=content, data_dir=data_dir, site_dir=site_dir, cache_dir=cache_dir, jobs=jobs)
    stop, done = threading.Event(), threading.Event()  # (not Thread.join: Ctrl-C breaks it in 3.11)

    def watch() -> None:
        try:
            _watch([content, pipeline.TEMPLATES], options, status, stop, url, progress,
                   force_polling)
        finally:
            done.set()

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    watching = threading.Thread(target=watch, daemon=True)
    presses: list[int] = []  # Ctrl-C or SIGTERM: the first stops, the next quits at once

    def interrupted(signum, frame) -> None:  # never raises twice: no traceback on a double press
        presses.append(signum)
        if len(presses) == 1:
            raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    if main:
        # SIGTERM stops as Ctrl-C does; and Ctrl-C itself stops even when started with it
        # ignored (a shell without job control ignores it in what it starts in the background,
        # and Python then leaves it so): the terminal says "Ctrl-C stops"
        before = {s: signal.signal(s, interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
        # Ctrl-C goes to the main thread only: the threads started here, and the processes the
        # build starts (Pagefind, readers), inherit a mask that blocks it, so none dies mid-build.
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        serving.start()
        watching.start()
    finally:
        if main:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
    try:
        while not done.wait(0.5):
            pass
        return 1  # the watcher crashed (its traceback is shown)
    except KeyboardInterrupt:
        stop.set()
        status.update(closed=True)
        if status.building:
            print("\nstopping after the build in progress (Ctrl-C again to quit at once)", flush=True)
        while not done.wait(0.1):
            if len(presses) > 1:  # quit now: the build's publish is all or nothing
                print("\nstopped", flush=True)
                stop_indexing()
                build_child.stop()
                os._exit(0)
    finally:
        stop.set()
        status.update(closed=True)
        server.shutdown()
        server.server_close()
        stop_indexing()  # an index still being made is not waited for
        build_child.stop()  # the child started for the next build
        if main:
            for s, handler in before.items():
                signal.signal(s, handler)
    print("\nstopped", flush=True)
    return 0


def main(args, progress=None) -> int:
    """The ``serve`` subcommand (arguments parsed by nianbao.cli)."""
    return serve(args.content, args.data, args.site, args.host, args.port,
                 None if args.no_cache else args.cache, args.jobs, progress,
                 True if args.poll else None)
