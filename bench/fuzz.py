"""Fuzzing the reader and the importer with mutated real reports, never part of the suite's
timing (tests/reading/test_fuzz.py runs a fixed number of cases of the same fuzzer).

The corpus is every content file (content/**/*.md) and, where ../shared/reports is present, the
published documents (*.txt, *.html; read there, never copied). Each case takes one document,
applies one to three mutations (byte flips, line deletions and duplications, digits turned into
letters, tabs removed, truncation, front-matter damage, random Unicode, huge numbers, NUL bytes,
other encodings…) and feeds the result to

* the reader, as the build reads a content file (``read.read_one``: load, parse, validate), and
* the importer (``importer.import_source`` into an empty content folder).

Only located diagnostics may come out. Anything else is a crash: an exception, a diagnostic
without a position, an error with a report (or no report and no error), an imported file that
does not read back, or a case slower than ``SLOW`` seconds. A case is reproduced by its seed,
corpus and number (``--seed S --case N``; the suite's cases with ``--quick`` and ``--corpus
content`` or ``--corpus reports``).

    .venv/bin/python bench/fuzz.py --seconds 600 --seed 1 [--out .fuzz] [--corpus all]

Prints each crash with its case number, document and mutations, writes the mutated input to
``--out`` and exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reports"
sys.path.insert(0, str(ROOT))

from nianbao.domain.diagnostics import Diagnostic  # noqa: E402
from nianbao.importing.importer import import_source  # noqa: E402
from nianbao.incremental.read_all import read_one  # noqa: E402

SLOW = 10.0  # seconds: a case slower than this is reported (a file must not stall the build)
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- mutations: (rng, data, ctx) -> data --------------------------------------------------

def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def flip_bytes(rng, data, ctx):
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def delete_lines(rng, data, ctx):
    lines = _lines(data)
    for _ in range(rng.randint(1, 6)):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_lines(rng, data, ctx):
    lines = _lines(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return b"\n".join(lines)


def swap_lines(rng, data, ctx):
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def digit_to_letter(rng, data, ctx):
    text = data.decode("utf-8", "replace")
    spots = [m.start() for m in re.finditer(r"\d", text)]
    chars = list(text)
    for pos in rng.sample(spots, min(len(spots), rng.randint(1, 5))):
        chars[pos] = rng.choice("lOoIxa零一十万元")
    return "".join(chars).encode()


def remove_tabs(rng, data, ctx):
    lines = _lines(data)
    tabbed = [i for i, line in enumerate(lines) if b"\t" in line]
    for i in rng.sample(tabbed, min(len(tabbed), rng.randint(1, 8))):
        line = lines[i]
        cuts = [k for k, b in enumerate(line) if b == 9]
        k = rng.choice(cuts)
        lines[i] = line[:k] + rng.choice([b"", b" ", b"  "]) + line[k + 1:]
    return b"\n".join(lines)


def truncate(rng, data, ctx):
    return data[: rng.randrange(len(data) + 1)]


FRONT_DAMAGE = [b"", b"---", b"--", b"year: 2020", b"year: twenty", b"year: 1999", b"year: 2020-13-40",
                b"year: " + b"9" * 5000, b"title: [", b"agency: {", b"agency_id: ../x", b"agency_id: 12",
                b"published: 2021-02-30", b"source_url: javascript:x", b"full_text: maybe",
                b"discrepancies: R1", b"discrepancies:\n  - {check: R1}", b"\t: x", b"? [a]\n: b",
                b"x: &a [*a]", b"x: !!int abc", b"x: !!python/object:os.system ls", b"2020: x",
                b"on: yes", b"- a", b"title: " + b"\xe5\xb9\xb4" * 5000, b"year: " + b"[" * 3000]


def front_matter(rng, data, ctx):
    lines = _lines(data)
    end = next((i for i in range(1, min(len(lines), 40)) if lines[i].strip() == b"---"), 6)
    i = rng.randrange(0, end + 1) if end < len(lines) else 0
    choice = rng.choice(FRONT_DAMAGE)
    if rng.random() < 0.5 and i < len(lines):
        lines[i] = choice
    else:
        lines.insert(i, choice)
    return b"\n".join(lines)


UNICODE = ["\u200b", "\u202e", "\ufeff", "\u0301", "\u00a0", "\u3000", "\uff11\uff12", "\U0001f600",
           "\u2028", "\u2029", "\u0085", "\ufffe", "\uffff", "\ud7ff", "\u2212", "\uff0d",
           "（", "）", "、", "|", "||", "\\|", "---", "**", "# ", "<script>", "&amp;", "\u4e00\u3001"]


def random_unicode(rng, data, ctx):
    text = data.decode("utf-8", "replace")
    for _ in range(rng.randint(1, 6)):
        pos = rng.randrange(len(text) + 1)
        piece = rng.choice(UNICODE) if rng.random() < 0.6 else chr(rng.choice(
            [rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0xD800), rng.randrange(0xE000, 0x110000)]))
        text = text[:pos] + piece + text[pos:]
    return text.encode("utf-8", "surrogatepass")


def huge_number(rng, data, ctx):
    text = data.decode("utf-8", "replace")
    spots = list(re.finditer(r"\d+", text))
    if not spots:
        return data
    m = rng.choice(spots)
    digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([16, 25, 60, 400, 2000])))
    return (text[: m.start()] + rng.choice(["", "-", "+"]) + digits + text[m.end():]).encode()


def nul_bytes(rng, data, ctx):
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        out[rng.randrange(len(out) + 1):0] = rng.choice([b"\x00", b"\x00" * 64, b"\x1b", b"\x0c", b"\x7f"])
    return bytes(out)


def reencode(rng, data, ctx):
    text = data.decode("utf-8", "replace")
    encoding = rng.choice(["gb18030", "gbk", "utf-16", "utf-16-le", "utf-8-sig", "big5", "latin-1"])
    ends = rng.choice(["\n", "\r\n", "\r"])
    return text.replace("\n", ends).encode(encoding, "replace")


def splice(rng, data, ctx):
    other = rng.choice(ctx.corpus)[1]
    a, b = sorted(rng.randrange(len(other) + 1) for _ in range(2))
    at = rng.randrange(len(data) + 1)
    return data[:at] + other[a:b] + data[at:]


def long_line(rng, data, ctx):
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines[i] = lines[i] * rng.choice([20, 50] if ctx.quick else [50, 500])
    return b"\n".join(lines)


def pipes(rng, data, ctx):
    lines = _lines(data)
    for i in rng.sample(range(len(lines)), min(len(lines), rng.randint(1, 10))):
        lines[i] = b"| " + lines[i].replace(b"\t", b" | ") + b" |"
    return b"\n".join(lines)


MUTATIONS = {f.__name__: f for f in (
    flip_bytes, delete_lines, duplicate_lines, swap_lines, digit_to_letter, remove_tabs, truncate,
    front_matter, random_unicode, huge_number, nul_bytes, reencode, splice, long_line, pipes)}


# --- the corpus and the targets --------------------------------------------------------------

def corpus(shared: bool = True) -> list[tuple[str, bytes]]:
    """(name, bytes) of every content file and, if present and wanted, every shared text report."""
    files = sorted((ROOT / "content").rglob("*.md"))
    if shared and SHARED.is_dir():
        files += sorted(p for p in SHARED.iterdir() if p.suffix in (".txt", ".html"))
    return [(str(p.relative_to(p.parents[1])), p.read_bytes()) for p in files]


def _check_diagnostics(diags, what: str) -> list[str]:
    problems = []
    for d in diags:
        if not isinstance(d, Diagnostic):
            problems.append(f"{what}: {d!r} is not a Diagnostic")
        elif not (d.path and d.line >= 1 and d.col >= 1 and CODE.match(d.code) and d.message):
            problems.append(f"{what}: unlocated diagnostic {d.as_record()}")
        else:
            d.format()
    return problems


def run_reader(data: bytes, name: str, work: Path) -> list[str]:
    """Problems of the reader on one content file (empty: only located diagnostics came out)."""
    year = re.search(r"(20\d\d)", name)
    path = work / "content" / (year.group(1) if year else "2020") / "fuzz.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    report, checks, diags = read_one(path, work / "content")
    problems = _check_diagnostics(diags, "reader")
    if (report is None) != any(d.is_error for d in diags):
        problems.append(f"reader: report {'missing' if report is None else 'kept'} with errors "
                        f"{[d.code for d in diags if d.is_error]}")
    path.unlink()
    return problems


def run_importer(data: bytes, name: str, work: Path, rng: random.Random) -> list[str]:
    """Problems of the importer on one document (empty: only located diagnostics came out)."""
    suffix = ".html" if name.endswith(".html") else rng.choice([".txt", ".md"])
    source = work / f"source{suffix}"
    source.write_bytes(data)
    content = work / "imported"
    options = rng.choice([{}, {"agency_id": "fuzz"},
                          {"agency_id": "fuzz", "year": 2020, "agency": "测试局"}])
    result = import_source(source, content, data_only=rng.random() < 0.5, force=True, **options)
    problems = _check_diagnostics(result.diagnostics, "importer")
    errors = [d.code for d in result.diagnostics if d.is_error]
    if (result.path is None) != bool(errors):
        problems.append(f"importer: {'nothing written' if result.path is None else 'written'} "
                        f"with errors {errors}")
    if result.path is not None:
        report, _, diags = read_one(result.path, content)
        if report is None:
            problems.append("importer: the written file does not read back: "
                            + "; ".join(d.format() for d in diags if d.is_error)[:500])
        result.path.unlink()
    return problems


@dataclass(frozen=True)
class Context:
    corpus: list[tuple[str, bytes]]
    quick: bool = False  # the suite's run: no multi-megabyte inputs


def case(seed: int, number: int, docs: list[tuple[str, bytes]], work: Path,
         quick: bool = False) -> tuple[str, list[str], bytes, list[str]]:
    """One case: (document, mutations, mutated bytes, problems)."""
    rng = random.Random(f"{seed}:{number}")
    name, data = docs[rng.randrange(len(docs))]
    names = rng.sample(sorted(MUTATIONS), rng.choice([1, 1, 2, 3]))
    for m in names:
        data = MUTATIONS[m](rng, data, Context(docs, quick))
    problems = []
    for target in ("reader", "importer"):
        if target == "importer" and not (name.endswith((".txt", ".html")) or rng.random() < 0.3):
            continue
        start = time.perf_counter()
        try:
            if target == "reader":
                problems += run_reader(data, name, work)
            else:
                problems += run_importer(data, name, work, rng)
        except Exception:  # the point of fuzzing: any exception at all is a finding
            problems.append(f"{target}: " + traceback.format_exc(limit=-3).strip())
        elapsed = time.perf_counter() - start
        if elapsed > SLOW:
            problems.append(f"{target}: took {elapsed:.1f} s")
    return name, names, data, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="run for this long")
    parser.add_argument("--seed", type=int, default=1, help="seed of the cases")
    parser.add_argument("--case", type=int, help="run this one case only")
    parser.add_argument("--out", type=Path, default=ROOT / ".fuzz", help="where crashing inputs go")
    parser.add_argument("--corpus", choices=("all", "content", "reports"), default="all",
                        help="content files, published reports (../shared/reports) or both")
    parser.add_argument("--quick", action="store_true",
                        help="no multi-megabyte inputs (as tests/reading/test_fuzz.py runs)")
    args = parser.parse_args(argv)
    docs = corpus(args.corpus != "content")
    if args.corpus == "reports":
        docs = [d for d in docs if d[0].startswith("reports/")]
    crashes = 0
    start = time.perf_counter()
    number = args.case if args.case is not None else 0
    with tempfile.TemporaryDirectory() as tmp:
        while True:
            name, names, data, problems = case(args.seed, number, docs, Path(tmp), args.quick)
            if problems:
                crashes += 1
                args.out.mkdir(parents=True, exist_ok=True)
                saved = args.out / f"seed{args.seed}-case{number}.bin"
                saved.write_bytes(data)
                print(f"CRASH seed {args.seed} case {number}: {name} + {', '.join(names)} "
                      f"(input: {saved})")
                for p in problems:
                    print("    " + p.replace("\n", "\n    "))
            number += 1
            if args.case is not None or time.perf_counter() - start > args.seconds:
                break
    print(f"{number - (args.case or 0)} case(s) in {time.perf_counter() - start:.0f} s, "
          f"seed {args.seed}: {crashes} crash(es)")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
