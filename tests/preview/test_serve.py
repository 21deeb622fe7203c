"""``python build.py serve``: the local preview, run as a user runs it (a subprocess on a free port,
a private copy of the seed report, temporary output folders), driven over http and, where
Debian's Chromium is installed, in a browser. Every wait has a deadline: a hang fails the test."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nianbao.preview.serve import Status, inject

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
REPORT = "reports/2020-heilongjiang/"
FIGURE = 'central_procurement-items">{}<'  # the 政府集中采购 cell of table 二
FIRST_BUILD = 180  # seconds: a cold build of one report (the charts, the search index)
REBUILD = 90


def _collect(stream, lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


class Served:
    """A running ``python build.py serve`` whose output is collected as it comes."""

    def __init__(self, tmp: Path, content: Path, *extra: str, sigint_ignored: bool = False) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self.site = tmp / "site"
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content),
             "--site", str(self.site), "--data", str(tmp / "data"), "--cache", str(tmp / "cache"),
             *extra], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            # as a shell without job control starts what it runs in the background
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored
            else None)
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=_collect, args=(stream, lines), daemon=True).start()
        self.url = ""

    def wait_for(self, text: str, timeout: float, stream: str = "out") -> str:
        deadline = time.monotonic() + timeout
        lines = self.out if stream == "out" else self.err
        while time.monotonic() < deadline:
            found = [line for line in list(lines) if text in line]
            if found:
                return found[-1]
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the readers finish
                break
            time.sleep(0.1)
        pytest.fail(f"no {text!r} within {timeout} s; stdout: {''.join(self.out)}\n"
                    f"stderr: {''.join(self.err)}")

    def start(self) -> Served:
        line = self.wait_for(" at http://", FIRST_BUILD)
        self.url = line.split(" at ")[1].split()[0]
        return self

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                pytest.fail("the server did not stop on Ctrl-C within 30 s")
        time.sleep(0.2)
        return self.proc.returncode


class Events:
    """The /__nianbao__/events stream: each state as it is sent."""

    def __init__(self, url: str) -> None:
        self.response = urllib.request.urlopen(url + "__nianbao__/events", timeout=30)
        assert self.response.headers["Content-Type"].startswith("text/event-stream")

    def next(self, until, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.response.readline().decode("utf-8")
            if line.startswith("data: "):
                state = json.loads(line[6:])
                if until(state):
                    return state
        pytest.fail(f"no such state within {timeout} s")

    def close(self) -> None:
        self.response.close()


@pytest.fixture
def served(tmp_path, content_copy):
    server = Served(tmp_path, content_copy, "--port", "0").start()
    yield server
    server.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_serves_the_site_with_live_reload_injected_on_the_fly(served):
    status, headers, body = served.get(REPORT)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert page.count('<script src="/__nianbao__/reload.js"') == 1
    assert page.index("/__nianbao__/reload.js") < page.rindex("</body>")
    assert "Content-Security-Policy" in page and FIGURE.format("25,942") in page
    assert "__nianbao__" not in (served.site / REPORT / "index.html").read_text("utf-8")
    assert headers["Cache-Control"] == "no-store"
    for path, kind in [("__nianbao__/reload.js", "text/javascript"), ("__nianbao__/reload.css", "text/css"),
                       ("assets/site.css", "text/css"), ("assets/icon.svg", "image/svg+xml"),
                       ("robots.txt", "text/plain")]:
        status, headers, _ = served.get(path)
        assert (status, headers["Content-Type"].split(";")[0]) == (200, kind), path
    kinds = {".csv": "text/csv", ".json": "application/json", ".xlsx": "application/vnd.openxml",
             ".pagefind": "application/octet-stream", ".svg": "image/svg+xml", ".zip": "application/zip"}
    deadline = time.monotonic() + 120  # the search index is made in the background
    while not any(served.site.rglob("*.pagefind")) and time.monotonic() < deadline:
        time.sleep(0.2)
    for suffix, kind in kinds.items():
        file = next(served.site.rglob(f"*{suffix}"))
        status, headers, body = served.get(file.relative_to(served.site).as_posix())
        assert status == 200 and headers["Content-Type"].startswith(kind), suffix
        assert body == file.read_bytes(), suffix  # only HTML is touched
    status, _, body = served.get("")
    assert status == 200 and b"/__nianbao__/reload.js" in body  # a folder serves its index.html
    host, port = served.url.split("//")[1].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", "/reports/2020-heilongjiang")  # relative links need the slash
    response = conn.getresponse()
    assert (response.status, response.getheader("Location")) == (301, "/reports/2020-heilongjiang/")
    conn.close()
    for missing in ("no/such/page.html", "reports/2031-nowhere/", "../../etc/passwd"):
        status, headers, body = served.get(missing)
        assert status == 404 and headers["Content-Type"].startswith("text/html"), missing
        assert "页面不存在" in body.decode("utf-8") and b"/__nianbao__/reload.js" in body


def test_an_edit_rebuilds_reloads_and_a_broken_edit_keeps_the_last_good_site(served, seed_file):
    events = Events(served.url)
    try:
        first = events.next(lambda s: not s["building"], 30)
        assert first["errors"] == []
        edit(seed_file, "政府集中采购\t25942", "政府集中采购\t25947")
        second = events.next(lambda s: s["build"] != first["build"] or s["errors"], REBUILD)
        assert second["errors"] == [] and not second["building"]
        served.wait_for("changed: ", 10)
        page = served.get(REPORT)[2].decode("utf-8")
        assert FIGURE.format("25,947") in page and f'data-build="{second["build"]}"' in page
        # a broken edit: the error reaches the terminal and the pages; the last good site stays
        edit(seed_file, "year: 2020", "year: abc")
        failed = events.next(lambda s: s["errors"], REBUILD)
        assert failed["build"] == second["build"]  # no new good build: the pages do not reload
        assert "front-matter-year" in failed["errors"][0] and "year: abc" in failed["errors"][0]
        served.wait_for("error[front-matter-year]: year 'abc' is not a reporting year", 10, "err")
        served.wait_for("still serving the last good site", 10, "err")
        status, _, body = served.get(REPORT)
        page = body.decode("utf-8")
        assert status == 200 and FIGURE.format("25,947") in page
        assert 'class="nianbao-serve nianbao-serve-failed"' in page
        assert "year &#x27;abc&#x27; is not a reporting year" in page  # escaped
        assert "__nianbao__" not in (served.site / REPORT / "index.html").read_text("utf-8")
        # fixed: a new good build, and the banner is gone
        edit(seed_file, "year: abc", "year: 2020")
        fixed = events.next(lambda s: not s["errors"] and not s["building"], REBUILD)
        assert fixed["build"] != second["build"]
        assert b"nianbao-serve-failed" not in served.get(REPORT)[2]
    finally:
        events.close()
    assert served.stop() == 0
    assert "Traceback" not in "".join(served.err) and served.out[-1] == "stopped\n"


def test_ctrl_c_stops_a_search_index_in_progress(tmp_path, content_copy, hung_pagefind):
    server = Served(tmp_path, content_copy, "--port", "0").start()
    deadline = time.monotonic() + 60
    while not hung_pagefind.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    pid = int(hung_pagefind.read_text().split()[0])
    assert server.stop() == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert "Traceback" not in "".join(server.err)


def test_ctrl_c_stops_the_server_even_when_started_with_it_ignored(tmp_path, content_copy):
    """A shell without job control (a script, a CI step) starts background commands with Ctrl-C
    ignored, and Python keeps it so: the terminal's "Ctrl-C stops" must hold all the same (the
    test suite itself, started so, once saw every server here outlive its Ctrl-C)."""
    server = Served(tmp_path, content_copy, "--port", "0", sigint_ignored=True).start()
    assert server.stop() == 0
    assert "stopped" in "".join(server.out)


@pytest.mark.parametrize("when", ["serving", "building"])
def test_ctrl_c_twice_in_a_row_stops_without_a_traceback(tmp_path, content_copy, when):
    """A second Ctrl-C (or a SIGTERM beside one, as ``timeout`` forwards it) that comes while the
    first is being handled quits at once, quietly: no traceback from inside the handler."""
    server = Served(tmp_path, content_copy, "--port", "0")
    server.wait_for(" at http://" if when == "serving" else "building ", FIRST_BUILD)
    server.proc.send_signal(signal.SIGINT)
    server.proc.send_signal(signal.SIGTERM)  # not merged with the first, as a second SIGINT can be
    assert server.proc.wait(timeout=30) == 0
    time.sleep(0.2)  # let the readers finish
    assert "Traceback" not in "".join(server.err), "".join(server.err)
    assert server.out[-1] == "stopped\n"


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path, seed_content):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "serve", "--content", str(seed_content),
             "--site", str(tmp_path / "s"), "--data", str(tmp_path / "d"), "--no-cache",
             "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (f"error: cannot serve on 127.0.0.1:{port}: address already in use "
                             "(is another server running? try --port)\n")
    assert not (tmp_path / "s").exists()  # nothing built


def test_the_error_banner_is_escaped_and_the_reload_script_always_injected():
    status = Status()
    page = b"<html><body><p>x</p></BODY></html>"
    out = inject(page, status).decode()
    assert out.endswith('defer></script>\n</BODY></html>') and "nianbao-serve-failed" not in out
    status.update(errors=["a.md:1:1: error[x]: <script>alert(1)</script> & co"])
    out = inject(page, status).decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in out and "<script>alert" not in out
    assert inject(b"no body tag", status).startswith(b"no body tag<link")


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (see tests/pages/test_browser.py)")
def test_in_the_browser_the_page_reloads_and_shows_errors_within_its_csp(tmp_path, content_copy):
    server = Served(tmp_path, content_copy, "--port", "0").start()
    seed = content_copy / "2020" / "heilongjiang.md"
    cell = "#c-active-art20_9-central_procurement-items"

    def drive() -> list[str]:  # in a thread of its own: another test may hold Playwright's loop
        from playwright.sync_api import expect, sync_playwright

        problems: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.goto(server.url + REPORT)
                expect(page.locator(cell)).to_have_text("25,942")
                page.wait_for_timeout(500)  # the event stream is open
                edit(seed, "政府集中采购\t25942", "政府集中采购\t25947")
                expect(page.locator(cell)).to_have_text("25,947", timeout=REBUILD * 1000)
                edit(seed, "year: 2020", "year: abc")
                banner = page.locator("#nianbao-serve.nianbao-serve-failed")
                expect(banner).to_contain_text("year 'abc' is not a reporting year",
                                               timeout=REBUILD * 1000)
                assert banner.evaluate("e => getComputedStyle(e).position") == "fixed"  # reload.css
                expect(page.locator(cell)).to_have_text("25,947")  # the last good page
                edit(seed, "year: abc", "year: 2020")
                expect(banner).to_have_count(0, timeout=REBUILD * 1000)
            finally:
                browser.close()
        return problems

    try:
        with ThreadPoolExecutor(1) as pool:
            problems = pool.submit(drive).result(timeout=FIRST_BUILD + 3 * REBUILD)
    finally:
        assert server.stop() == 0
    assert problems == []  # nothing blocked by the Content-Security-Policy, no script error


def test_a_build_that_ends_while_the_index_is_made_is_indexed_after_it(monkeypatch, tmp_path):
    """The preview's search index always ends up holding the last good build: builds that end
    while an index is made get one more index after it (one for all of them), never two at once."""
    from nianbao.preview import serve

    started, running, overlapped = [], threading.Semaphore(0), []
    gate = threading.Event()

    def index_search(site_dir: Path, between=None) -> int:
        if serve._indexing.acquire(blocking=False):  # (held by the caller: it must not be free)
            overlapped.append(True)
            serve._indexing.release()
        started.append(time.monotonic())
        running.release()
        gate.wait(10)
        return 1

    monkeypatch.setattr(serve.pipeline, "index_search", index_search)
    serve.index_in_background(tmp_path)  # the first build
    assert running.acquire(timeout=10)
    serve.index_in_background(tmp_path)  # two more builds end while it runs
    serve.index_in_background(tmp_path)
    time.sleep(0.3)
    assert len(started) == 1
    gate.set()
    assert running.acquire(timeout=10)  # the index of the last build, once
    deadline = time.monotonic() + 10
    while serve._indexing.locked() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert len(started) == 2 and not overlapped and not serve._wanted.is_set()


def test_a_build_that_starts_while_the_index_reads_the_pages_abandons_it(monkeypatch, tmp_path):
    """The index's Python work (reading 20,000 pages at 10,000 reports) would slow a build down:
    it stops at the next page when a build starts, and is made again once the build is over."""
    from nianbao.preview import serve

    status, runs, reading = serve.Status(), [], threading.Event()

    def index_search(site_dir: Path, between=None) -> int:
        runs.append("started")
        for _ in range(200):  # pages
            reading.set()
            between()
            time.sleep(0.01)
        runs.append("done")
        return 1

    monkeypatch.setattr(serve.pipeline, "index_search", index_search)
    serve.index_in_background(tmp_path, status)
    assert reading.wait(10)
    status.update(building=True)  # a build starts
    time.sleep(0.3)
    assert runs == ["started"] and serve._indexing.locked()  # abandoned, waiting for the build
    status.update(building=False)
    deadline = time.monotonic() + 10
    while runs[-1] != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runs == ["started", "started", "done"]


def test_an_index_abandoned_for_a_build_is_made_again_even_if_that_build_fails(monkeypatch,
                                                                              tmp_path):
    """A failed build asks for no index: the one it made abandon (the last good build's) must
    be made again all the same, however quickly the build ended."""
    from nianbao.preview import serve

    status, runs = serve.Status(), []

    def index_search(site_dir: Path, between=None) -> int:
        runs.append("started")
        if len(runs) == 1:  # a build starts and fails before the abandoned index looks again
            status.update(building=True)
            try:
                between()
            finally:
                status.update(building=False)
        runs.append("done")
        return 1

    monkeypatch.setattr(serve.pipeline, "index_search", index_search)
    serve.index_in_background(tmp_path, status)
    deadline = time.monotonic() + 10
    while runs[-1:] != ["done"] and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert runs == ["started", "started", "done"]


def test_the_preview_builds_in_a_child_process_and_reports_what_it_found(tmp_path, content_copy,
                                                                        monkeypatch):
    """Each preview build runs in a child process of its own (the server has threads and must
    not fork; a child uses every core): the server gets its counts, its located errors, or why
    it crashed, and a child that dies without answering is a crash too, never a hang."""
    from nianbao.preview import build_child

    monkeypatch.setattr(build_child, "_ready", [])  # (this test's children only, all ended after)
    request = monkeypatch.context()

    def built(data: Path | None = None) -> build_child.Built:
        data = data or tmp_path / "out"
        return build_child.build_in_child(content_copy, data / "data", data / "site",
                                      tmp_path / "cache", None, False)

    good = built()
    assert (good.crash, good.errors, good.reports) == ("", [], 1) and good.pages > 10
    assert (tmp_path / "out" / "site" / "reports" / "2020-heilongjiang" / "index.html").exists()
    seed = content_copy / "2020" / "heilongjiang.md"
    seed.write_text(seed.read_text("utf-8").replace("\t174\t", "\tx174\t"), "utf-8")
    broken = built()
    assert not broken.crash and len(broken.errors) == 1
    assert broken.errors[0].startswith(f"{seed}:81:24: error[cell-not-number]")
    (tmp_path / "a-file").write_text("x")
    crashed = built(tmp_path / "a-file")  # its output folder cannot be made: a crash, shown
    assert crashed.crash.startswith("error: the build crashed: FileExistsError")
    waiting = build_child._ready[-1]  # the next build's child, started as each build ends
    assert waiting.poll() is None
    with request as m:
        m.setattr(build_child.sys, "executable", "/bin/false")
        build_child.stop()  # (ends the waiting child: the next one starts as /bin/false)
        assert waiting.poll() is not None
        assert built().crash == "error: the build crashed (its process ended with 1)"
    build_child.stop()
