"""The six sections of a report: finding their headings, and their prose as Markdown."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nianbao.domain.forms import Forms

NUMERALS = "一二三四五六"
_HEADING = re.compile(r"^\s*([一二三四五六])\s*[、.．]\s*(\S.*)$")
_INLINE = re.compile(r"([一二三四五六])\s*[、.．]\s*([^\d\n\t。；，]{1,30}?(?:情况|事项))")
_SUBHEADING = re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]")
# A paragraph that ends in one of these ends a sentence; otherwise a page break cut it.
_SENTENCE_END = tuple("。！？；：…”’」』）)!?;:")

Line = tuple[int, str]  # (line number in the file, text)


@dataclass(frozen=True)
class RawSection:
    code: str  # preamble | s1_overview … s6_other
    heading: str
    line: int
    lines: tuple[Line, ...]


def heading_section(text: str, forms: Forms, after: int) -> int | None:
    """The index of the section this whole line heads, if it is a heading of a section after
    ``after``."""
    if "\t" in text or len(text.strip()) > 60:
        return None
    m = _HEADING.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    index = NUMERALS.index(m.group(1))
    if index <= after:
        return None
    squashed = "".join(m.group(2).split())
    keywords = forms.sections[index].keywords
    if any(all(k in squashed for k in group) for group in keywords):
        return index
    return None


def inline_heading(text: str, forms: Forms, after: int) -> tuple[int, int, int] | None:
    """The first heading of a later section inside a line: (index, start, end). Headings of
    flattened web pages run on with their text (``一、总体情况2019年，…``): such a heading is a
    numeral, 、, then at most 30 characters without digits ending in 情况 or 事项."""
    best = None
    for m in _INLINE.finditer(text):
        index = NUMERALS.index(m.group(1))
        if index <= after:
            continue
        squashed = "".join(m.group(2).split())
        if any(all(k in squashed for k in group) for group in forms.sections[index].keywords):
            if best is None or m.start() < best[1]:
                best = (index, m.start(), m.end())
            break
    return best


def split_sections(lines: list[Line], forms: Forms) -> list[RawSection]:
    """Cut the body at the headings 一 to 六, in order. A line that starts with a numeral but does
    not carry its section's keywords (such as table 三's row 四、结转下年度继续办理) is not a
    heading. Text around a heading inside a line stays in place, blanked, so that columns keep
    pointing at the source."""
    sections: list[RawSection] = []
    code, heading, start, current = "preamble", "", lines[0][0] if lines else 1, []
    index = -1
    for number, text in lines:
        found = heading_section(text, forms, index)
        if found is not None:
            sections.append(RawSection(code, heading, start, tuple(current)))
            index = found
            code, heading, start, current = forms.sections[found].code, text.strip(), number, []
            continue
        rest = text
        while "\t" not in rest and (hit := inline_heading(rest, forms, index)):
            found, a, b = hit
            if rest[:a].strip():
                current.append((number, rest[:a]))
            sections.append(RawSection(code, heading, start, tuple(current)))
            index = found
            code, heading, start, current = forms.sections[found].code, rest[a:b].strip(), number, []
            rest = " " * b + rest[b:]
        if rest.strip() or not text.strip():
            current.append((number, rest))
    sections.append(RawSection(code, heading, start, tuple(current)))
    return sections


def _ends_sentence(text: str) -> bool:
    return text.rstrip("*_ ").endswith(_SENTENCE_END)


def is_title_line(text: str) -> bool:
    return "年度报告" in text and "。" not in text and len(text) <= 60


def paragraphs(lines: list[Line]) -> list[tuple[int, str]]:
    """Paragraphs (blank-line separated), with those that a page break cut mid-sentence rejoined.

    A paragraph that does not end a sentence is continued by the next one, unless that one is a
    sub-heading such as （二）…; the two halves are joined without a space, as Chinese text is."""
    blocks: list[tuple[int, str]] = []
    run: list[str] = []
    start = 0
    for number, text in [*lines, (0, "")]:
        if text.strip():
            start = start if run else number
            run.append(text.strip())
        elif run:
            blocks.append((start, "".join(run)))
            run = []
    merged: list[tuple[int, str]] = []
    for number, text in blocks:
        if (
            merged
            and not _ends_sentence(merged[-1][1])
            and not _SUBHEADING.match(merged[-1][1])
            and not _SUBHEADING.match(text)
        ):
            merged[-1] = (merged[-1][0], merged[-1][1] + text)
        else:
            merged.append((number, text))
    return merged


def to_markdown(lines: list[Line]) -> str:
    """The prose of a section as Markdown: sub-headings （一）… become level-3 headings."""
    out = []
    for _, text in paragraphs(lines):
        if _SUBHEADING.match(text) and len(text) <= 40 and not _ends_sentence(text):
            out.append(f"### {text}")
        else:
            out.append(text)
    return "\n\n".join(out)
