"""Build benchmark, never part of the test suite: N synthetic reports (bench/synthetic.py) built
by the project's CLI (cold, after editing one report and then others, with nothing changed, and
`check` alone),
then the same N report bodies built by Hugo. Prints a table, writes .bench/results-N.json.

    .venv/bin/python bench/run.py --n 1000 [--seed 1] [--work .bench/work] [--skip-hugo] [--keep]
                                  [--edits 3]

Before each measured command the bench calls sync(2), so that no step pays for the writeback of
the one before. Each measured command runs in a fresh helper process that starts it, samples its
process tree and waits for it: `wall` is the command's wall time, `cpu` the user+system time of the whole tree,
`peak` the largest max RSS of any single process of the tree (getrusage(RUSAGE_CHILDREN) of the
helper, so nothing of earlier runs leaks in), `tree` the peak sum of RSS over the live tree and
`pss` the peak sum of its proportional set sizes (a page that forked workers share with the build
counts once in all, not once per process: the memory the tree really holds), RSS sampled every
0.1 s, PSS every second (the kernel walks page tables for it). A command whose tree uses no CPU for --stall seconds is killed as stalled.

If the CLI has a read cache (`--cache DIR`), the builds use an empty one in the work folder (so
the cold build is cold, the others see what the previous build left) and `check` runs with
`--no-cache`. With `--no-search` and a `search` subcommand, the builds leave the search index out
and the index is timed on its own (`search`), as the goals count them apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import json, os, resource, signal, subprocess, sys, tempfile, time
cmd, cwd, stall = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3])

def tree(root, shared):
    procs = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(pid)] = (int(rest[1]), sum(map(int, rest[11:15])), int(rest[21]))
    members, grew = {root}, True
    while grew:
        new = {p for p, (ppid, _, _) in procs.items() if ppid in members} - members
        members |= new
        grew = bool(new)
    ticks, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    found = [procs[p] for p in members if p in procs]
    return (sum(f[1] for f in found) / ticks, sum(f[2] for f in found) * page,
            sum(map(pss, members)) if shared else 0)

def pss(pid):
    # proportional set size: a page shared by k processes counts 1/k in each (bytes); the
    # kernel walks the page tables for it, a third of a core at 0.1 s on a 2 GB build: 1 s
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0

out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
start = time.perf_counter()
p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, start_new_session=True)
tree_peak, pss_peak, mark_cpu, mark_t, stalled, ticks = 0, 0, 0.0, start, False, 0
while p.poll() is None:
    time.sleep(0.1)
    ticks += 1
    cpu, rss, shared = tree(p.pid, ticks % 10 == 1)
    tree_peak, pss_peak, now = max(tree_peak, rss), max(pss_peak, shared), time.perf_counter()
    if cpu - mark_cpu > 0.1:
        mark_cpu, mark_t = cpu, now
    elif now - mark_t > stall:
        stalled = True
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
out.seek(0); err.seek(0)
print(json.dumps({"rc": p.returncode, "stalled": stalled, "wall_s": round(wall, 2),
                  "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
                  "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
                  "tree_rss_mb": round(tree_peak / 2**20, 1),
                  "tree_pss_mb": round(pss_peak / 2**20, 1),
                  "stdout": out.read().decode(errors="replace")[-1500:],
                  "stderr": err.read().decode(errors="replace")[-3000:]}))
"""

HUGO_LAYOUT = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main>%s</main></body></html>
"""
HUGO_SINGLE = "<h1>{{ .Title }}</h1><p>{{ .Date.Format \"2006-01-02\" }}</p>{{ .Content }}"
HUGO_LIST = ('<h1>{{ .Title }}</h1><ul>{{ range %s }}<li><a href="{{ .RelPermalink }}">'
             '{{ .Title }}</a></li>{{ end }}</ul>')


def measure(cmd: list[str], stall: float) -> dict:
    """Run cmd (cwd: the repository) in a fresh helper process; see the module docstring."""
    helper = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(cmd), str(ROOT), str(stall)],
                            capture_output=True, text=True, check=True)
    return json.loads(helper.stdout)


def tree_size(path: Path) -> tuple[int, float]:
    files = [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
    return len(files), round(sum(p.stat().st_size for p in files) / 2**20, 1)


def empty(*dirs: Path) -> None:
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
        for stage in d.parent.glob(f".{d.name}.*"):  # the CLI's staging folders
            shutil.rmtree(stage, ignore_errors=True)


def edit_one_report(content: Path, at: float = 0.5) -> Path:
    """Table 四 of the report at fraction ``at`` of the sorted paths (the middle one by default):
    行政复议 结果维持 +1 and its 总计 +1 (R1 still holds)."""
    paths = sorted(content.rglob("*.md"))
    path = paths[min(len(paths) - 1, int(len(paths) * at))]
    text = path.read_text("utf-8")

    def bump(m: re.Match) -> str:
        v = [int(x) for x in m.group(1).split(" | ")]
        v[0] += 1
        v[-1] += 1
        return "| 行政复议 | " + " | ".join(map(str, v)) + " |"

    new, count = re.subn(r"^\| 行政复议 \| ([\d | ]+?) \|$", bump, text, count=1, flags=re.M)
    assert count == 1, f"no 行政复议 row in {path}"
    path.write_text(new, "utf-8")
    return path


def cli_help(py: str) -> str:
    """`build.py --help` and `build.py build --help`: which options this version of the CLI has."""
    return "".join(subprocess.run([py, "build.py", *sub, "--help"], cwd=ROOT, capture_output=True,
                                  text=True).stdout for sub in ([], ["build"]))


def ensure_hugo() -> str | None:
    if not shutil.which("hugo"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = sudo + ["apt-get", "install", "-y", "-q", "hugo"]
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            subprocess.run(sudo + ["apt-get", "update", "-q"], env=env, capture_output=True)
            subprocess.run(install, env=env, capture_output=True)
    return shutil.which("hugo")


def hugo_build(hugo: str, site: Path, out: Path) -> list[str]:
    """Hugo's cold build of ``site`` (``hugo_site``) into ``out``: the command timed."""
    return [hugo, "--quiet", "--minify=false", "-s", str(site), "-d", str(out)]


def hugo_site(content: Path, site: Path) -> None:
    """The same report bodies as Hugo pages (front matter title/date), minimal layouts."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "http://example.org/"\nlanguageCode = "zh-cn"\n'
                                    'title = "bench"\nbuildFuture = true\n', "utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT % HUGO_SINGLE, "utf-8")
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LAYOUT % (HUGO_LIST % ".Pages"),
                                                             "utf-8")
    (site / "layouts" / "index.html").write_text(HUGO_LAYOUT % (HUGO_LIST % ".Site.RegularPages"),
                                                 "utf-8")
    for path in content.rglob("*.md"):
        _, front, body = path.read_text("utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        page = site / "content" / path.relative_to(content)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"---\ntitle: {json.dumps(meta['title'], ensure_ascii=False)}\n"
                        f"date: {meta['published']}\n---\n{body}", "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of reports (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "work",
                        help="work folder (replaced; default .bench/work)")
    parser.add_argument("--skip-hugo", action="store_true", help="do not build with Hugo")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument("--edits", type=int, default=3,
                        help="one-report edits timed one after another, each of another report "
                             "(default 3; the first right after the cold build and search index)")
    parser.add_argument("--stall", type=float, default=60,
                        help="kill a command whose process tree uses no CPU for this long (s)")
    args = parser.parse_args()
    work = args.work.resolve()
    content, data, site = work / "content", work / "data", work / "site"
    py = sys.executable

    shutil.rmtree(work, ignore_errors=True)
    t = time.perf_counter()
    generate(args.n, content, args.seed)
    results: dict = {"n": args.n, "seed": args.seed, "generate_s": round(time.perf_counter() - t, 2),
                     "content": dict(zip(("files", "mb"), tree_size(content))),
                     "python": platform.python_version(), "cpus": os.cpu_count(),
                     "date": time.strftime("%Y-%m-%d %H:%M"), "runs": {}, "notes": []}
    runs, notes = results["runs"], results["notes"]
    print(f"generated {args.n} reports ({results['content']['mb']} MB) in {results['generate_s']} s "
          f"into {content}", flush=True)

    def run(name: str, cmd: list[str], *out: Path) -> dict:
        print(f"  {name} …", end=" ", flush=True)
        # what the step before left to write goes to the disk first, not into this step's time:
        # a cold build leaves about 2 GB of dirty pages at 10,000 reports, whose writeback made
        # the edits after it up to 0.3 s slower (hyperfine's --prepare 'sync' habit)
        os.sync()
        r = measure(cmd, args.stall)
        lines = r.pop("stdout").strip().splitlines()
        if lines:
            r["summary"] = lines[-1]
        if r["rc"] == 0:
            del r["stderr"]
        if out:  # what the command wrote
            sizes = [tree_size(d) for d in out]
            r["output"] = {"files": sum(f for f, _ in sizes), "mb": round(sum(m for _, m in sizes), 1)}
        print("STALLED" if r["stalled"] else f"rc {r['rc']}, {r['wall_s']} s", flush=True)
        if r["rc"] != 0 and not r["stalled"]:
            print(r["stderr"], file=sys.stderr)
        runs[name] = r
        return r

    usage = cli_help(py)
    has_cache = re.search(r"\s--cache\b", usage) is not None
    build = [py, "build.py", "build", "--content", str(content), "--data", str(data), "--site", str(site),
             *(["--cache", str(work / "cache")] if has_cache else [])]
    run("check", [py, "build.py", "check", "--content", str(content),
                  *(["--no-cache"] if "--no-cache" in usage else [])])
    empty(site, data, work / "cache")
    separate = "--no-search" in usage and re.search(r"\{[^}]*\bsearch\b[^}]*\}", usage)
    if separate:  # the build without the index, then the index timed on its own
        build.append("--no-search")
    cold = run("cold", build, site, data)
    if cold["rc"] == 0:
        if separate:
            r = run("search", [py, "build.py", "search", "--site", str(site)], site)
            if r["rc"] == 0:
                results["search_s"] = r["wall_s"]
        else:
            notes.append("search index not timed on its own: the CLI has no --no-search flag "
                         "and search subcommand")
        results["edited"] = []
        for k in range(max(1, args.edits)):  # the middle report, then others across the years
            results["edited"].append(str(edit_one_report(content, (0.5 + k * 0.29) % 1)
                                         .relative_to(work)))
            run("edit" if k == 0 else f"edit {k + 1}", build, site, data)
        run("no change", build, site, data)

    if not args.skip_hugo:
        hugo = ensure_hugo()
        if hugo is None:
            notes.append("hugo is not installed and apt-get could not install it")
        else:
            results["hugo_version"] = subprocess.run([hugo, "version"], capture_output=True,
                                                     text=True).stdout.strip()
            hugo_src, hugo_out = work / "hugo", work / "hugo-public"
            hugo_site(content, hugo_src)
            empty(hugo_out)
            run("hugo cold", hugo_build(hugo, hugo_src, hugo_out), hugo_out)
            if cold["rc"] == 0 and runs["hugo cold"]["rc"] == 0:
                results["ratio_cold"] = round(cold["wall_s"] / runs["hugo cold"]["wall_s"], 2)
                if "search_s" in results:
                    results["ratio_search"] = round(results["search_s"] / runs["hugo cold"]["wall_s"], 2)

    print(f"\nN = {args.n} reports, {results['cpus']} CPUs, Python {results['python']}")
    print(f"{'run':<22}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}{'tree MB':>9}{'pss MB':>9}"
          f"{'files':>8}{'out MB':>8}")
    for name, r in runs.items():
        o = r.get("output", {})
        wall = "stalled" if r["stalled"] else (r["wall_s"] if r["rc"] == 0 else f"rc {r['rc']}")
        print(f"{name:<22}{wall:>9}{r['cpu_s']:>9}{r['peak_rss_mb']:>9}{r['tree_rss_mb']:>9}"
              f"{r['tree_pss_mb']:>9}{o.get('files', ''):>8}{o.get('mb', ''):>8}")
    edits = [r["wall_s"] for name, r in runs.items() if name.startswith("edit") and r["rc"] == 0]
    if edits:
        results["edits_s"] = edits
        print(f"one-report edits: {', '.join(map(str, edits))} s (median "
              f"{sorted(edits)[len(edits) // 2]} s)")
    if "search_s" in results:
        print(f"search index alone: {results['search_s']} s")
    if "ratio_cold" in results:
        print(f"project cold / hugo cold = {results['ratio_cold']}")
    if "ratio_search" in results:
        print(f"search index alone / hugo cold = {results['ratio_search']}")
    for note in notes:
        print(f"note: {note}")
    dest = ROOT / ".bench" / f"results-{args.n}.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {dest.relative_to(ROOT)}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r["rc"] == 0 for r in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
