"""The preview's builds (``nianbao.preview.serve``), each in a child process of its own.

The server has threads (http, the watcher, the search index), so a build in its own process
could not fork and used one core: 1.4–1.7 s an edit at 10,000 reports, where the command line,
which forks its helpers, took 1.3 s on the same machine. A child started with ``subprocess`` is a
fresh process without threads that builds as the command line does. Its progress, and the
traceback of a crash, go to the terminal; what the server needs of the outcome comes back as
JSON on the child's standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # where ``nianbao`` is imported from

_running: list[subprocess.Popen] = []
_ready: list[subprocess.Popen] = []  # the next build's child, started and imported, waiting


@dataclass(frozen=True)
class Built:
    """What the server shows of a build: its diagnostics (formatted), how many errors and
    warnings, its counts, or why it crashed."""

    diagnostics: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: int = 0
    reports: int = 0
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    crash: str = ""  # a template's located error, or the build's crash


def build_in_child(content: Path, data_dir: Path, site_dir: Path, cache_dir: Path | None,
                   jobs: int | None, progress: bool) -> Built:
    """One build, search index aside, in a child process (module docstring). The child of the
    next build is started as this one ends: it imports the build's code while the server waits
    for a change (a fifth of a second of each build's start at 10,000 reports)."""
    request = json.dumps({"content": str(content), "data": str(data_dir), "site": str(site_dir),
                          "cache": None if cache_dir is None else str(cache_dir), "jobs": jobs,
                          "progress": progress})
    proc = _ready.pop() if _ready and _ready[-1].poll() is None else _start()
    with proc:
        _running.append(proc)
        try:
            out, _ = proc.communicate(request.encode("utf-8"))
        except BrokenPipeError:  # it ended before it was asked
            out = proc.stdout.read() if proc.stdout else b""
            proc.wait()
        finally:
            _running.remove(proc)
    _ready.append(_start())
    try:
        return Built(**json.loads(out))
    except (ValueError, TypeError):
        return Built(crash=f"error: the build crashed (its process ended with {proc.returncode})")


def _start() -> subprocess.Popen:
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from nianbao.preview.build_child import child; child()"
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)


def stop() -> None:
    """End the build in progress at once (quitting the preview: publishing is all or nothing),
    and the child waiting for the next one."""
    for proc in [*_running, *_ready]:
        proc.kill()
    for proc in _ready:
        proc.wait()
    _ready.clear()


def child() -> None:
    """The child's side: the build's code imported, build as asked (JSON on the standard input,
    when it comes), then the outcome as JSON on the standard output, which is the build's stderr
    meanwhile (nothing else may reach the server)."""
    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from nianbao import pipeline
    from nianbao.console import progress_bar

    request = sys.stdin.read()
    if not request:  # not needed after all (the server stopped)
        return
    ask = json.loads(request)

    try:
        outcome = pipeline.build(
            content=Path(ask["content"]), data_dir=Path(ask["data"]), site_dir=Path(ask["site"]),
            base_url="", cache_dir=None if ask["cache"] is None else Path(ask["cache"]),
            jobs=ask["jobs"], progress=progress_bar("reading") if ask["progress"] else None,
            search=False)
        built = Built([d.format() for d in outcome.diagnostics],
                      [d.format() for d in outcome.errors], len(outcome.warnings),
                      len(outcome.reports), outcome.pages, outcome.files, outcome.seconds)
    except Exception as exc:  # a template's syntax (located), or a bug: shown, the server goes on
        if getattr(exc, "filename", None) and getattr(exc, "lineno", None):
            crash = f"{exc.filename}:{exc.lineno}: error[{type(exc).__name__}]: {exc}"
        else:
            traceback.print_exc()
            crash = f"error: the build crashed: {type(exc).__name__}: {exc}"
        built = Built(crash=crash)
    json.dump(asdict(built), answer)
    answer.close()
