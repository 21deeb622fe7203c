"""The cold build's floor, beside Hugo: what exact Frictionless validation alone costs on the
output of a bench run (`bench/run.py --n N --keep` leaves it in .bench/work), measured in one run
with Hugo building the same N bodies, alternated `--rounds` times. Never part of the test suite.

    .venv/bin/python bench/floor.py [--work .bench/work] [--rounds 2]

Measured, each in a fresh process (wall time; CPU as user+system of it and its children):

- `hugo`: Hugo's cold build of the N bodies, the bench's own command;
- `report packages`: Frictionless on every report's data package, the build's way
  (`nianbao.packaging.batch_validation.validate_packages`: batched, both cores);
- `combined package`: Frictionless on the combined package, one plain `frictionless.validate`;
- `markdown-it-py`: Hugo's own work done the Python way: the same N bodies rendered to HTML by
  the project's Markdown engine (`nianbao.pages.templating.markdown`) with pipe tables on, as Hugo
  renders them, on both cores, nothing written.

The build must run both validations, exactly (issue 5 keeps Frictionless exact), so their CPU
time divided by the cores is a wall time no cold build on this machine can go under, whatever
else it does. The script prints that floor and its ratio to Hugo's wall time. (`markdown-it-py`
is not part of the floor: the build renders only the prose with it, its own tables apart.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, hugo_build, measure  # noqa: E402

STALL = 600  # seconds without CPU after which a command counts as hung (``run.measure``)

REPORT_PACKAGES = """
import glob, sys
sys.path.insert(0, sys.argv[1])
from nianbao.packaging.batch_validation import validate_packages
found = validate_packages(sorted(glob.glob(sys.argv[2] + "/*/*/datapackage.json")))
print(len(found), "packages,", sum(map(bool, found)), "invalid")
"""

COMBINED = """
import sys
from frictionless import validate
report = validate(sys.argv[1])
print(report.stats["tasks"], "tables,", report.stats["errors"], "errors")
"""

MARKDOWN = """
import glob, sys
from concurrent.futures import ProcessPoolExecutor
sys.path.insert(0, sys.argv[1])
from nianbao.pages.templating import markdown

def render(paths):
    md = markdown().enable("table")  # as Hugo renders the bodies
    return sum(len(md.render(open(p, encoding="utf-8").read())) for p in paths)

if __name__ == "__main__":
    files = sorted(glob.glob(sys.argv[2] + "/**/*.md", recursive=True))
    with ProcessPoolExecutor() as pool:
        size = sum(pool.map(render, [files[i::32] for i in range(32)]))
    print(len(files), "bodies,", size // 1_000_000, "MB of HTML")
"""


def timed(cmd: list[str]) -> dict:
    """Wall and CPU time of one command (``run.measure``, after a sync as the bench does)."""
    os.sync()
    r = measure(cmd, STALL)
    if r["rc"]:
        sys.exit(f"{cmd[0]} failed ({r['rc']}):\n{r['stderr']}")
    return {"wall_s": r["wall_s"], "cpu_s": r["cpu_s"],
            "said": (r["stdout"].strip().splitlines() or [""])[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "work")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = args.work.resolve()
    data, hugo_src = work / "data", work / "hugo"
    hugo = shutil.which("hugo")
    if not (data / "datapackage.json").is_file() or not hugo_src.is_dir() or not hugo:
        sys.exit(f"{work} holds no kept bench run (bench/run.py --keep) or hugo is missing")
    out = work / "hugo-floor"
    py = sys.executable
    runs: dict[str, list[dict]] = {"hugo": [], "report packages": [], "combined package": [],
                                   "markdown-it-py": []}
    for _ in range(args.rounds):
        shutil.rmtree(out, ignore_errors=True)
        runs["hugo"].append(timed(hugo_build(hugo, hugo_src, out)))
        runs["report packages"].append(timed([py, "-c", REPORT_PACKAGES, str(ROOT), str(data)]))
        runs["combined package"].append(timed([py, "-c", COMBINED,
                                               str(data / "datapackage.json")]))
        runs["markdown-it-py"].append(timed([py, "-c", MARKDOWN, str(ROOT),
                                             str(hugo_src / "content")]))
    shutil.rmtree(out, ignore_errors=True)
    cores = os.cpu_count() or 1
    for name, rs in runs.items():
        print(f"{name:17} " + "  ".join(f"{r['wall_s']:6.1f} s ({r['cpu_s']:.1f} s CPU)"
                                         for r in rs) + f"   {rs[-1]['said']}")
    floors = [(p["cpu_s"] + c["cpu_s"]) / cores
              for p, c in zip(runs["report packages"], runs["combined package"])]
    ratios = [f / h["wall_s"] for f, h in zip(floors, runs["hugo"])]
    print(f"Frictionless CPU / {cores} cores: " + ", ".join(f"{f:.1f} s" for f in floors)
          + " = " + ", ".join(f"{r:.2f}" for r in ratios) + "× Hugo's wall time, the same round")
    results = {"cores": cores, "runs": runs, "floor_s": [round(f, 2) for f in floors],
               "floor_over_hugo": [round(r, 2) for r in ratios],
               "date": time.strftime("%Y-%m-%d %H:%M")}
    (ROOT / ".bench" / "floor.json").write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
