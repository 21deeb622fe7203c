"""Reading a published document (text, HTML or PDF) into lines the parser reads.

Tables become tab-separated lines, one printed row a line (HTML from its markup, PDF from the
ruled cells pdfplumber finds, since a PDF's text layer scrambles merged cells); prose becomes
lines with blank lines between paragraphs. Each line keeps the source line (HTML) or page (PDF)
it came from, for located messages. Nothing here interprets a figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PAGE_NUMBER = re.compile(r"^\s*[-—－]\s*\d{1,3}\s*[-—－]\s*$")
CRAWL_MARK = re.compile(r"^=+\s*正文\s*=+\s*$", re.M)
_SENTENCE_END = tuple("。！？；：”）)")


class SourceError(Exception):
    """The document cannot be read at all (not the parser's business)."""

    def __init__(self, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


@dataclass
class Extracted:
    kind: str  # text | html | pdf
    lines: list[str] = field(default_factory=list)
    origin: list[str] = field(default_factory=list)  # per line: "12" (source line) or "p3"
    title: str = ""
    source_url: str = ""
    published: str = ""

    def add(self, text: str, origin: str) -> None:
        self.lines.append(text)
        self.origin.append(origin)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError("not-text", "the file is neither UTF-8 nor GB18030 text",
                      "save it as UTF-8, or import the HTML or PDF it came from")


def read_text(path: Path) -> Extracted:
    text = decode(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    out = Extracted("text")
    mark = CRAWL_MARK.search(text)
    start_line = 1
    if mark:  # a web crawl: "标题: …", "发布时间: …", "原文链接: …" above the text
        for line in text[: mark.start()].split("\n"):
            key, _, value = line.partition(":")
            value = value.strip()
            if key.strip() == "标题":
                out.title = value
            elif key.strip() == "发布时间":
                out.published = value[:10]
            elif key.strip() == "原文链接":
                out.source_url = value
        start_line = text[: mark.end()].count("\n") + 2
        text = text[mark.end() + 1 :]
    elif text.startswith("---\n"):  # a content file: keep its body only
        end = text.find("\n---\n", 4)
        if end > 0:
            start_line = text[: end + 5].count("\n") + 1
            text = text[end + 5 :]
    for i, line in enumerate(text.split("\n")):
        out.add(line, str(start_line + i))
    return out


def _cell_text(cell) -> str:
    return "".join(cell.get_text(" ").split()) if cell is not None else ""


def read_html(path: Path) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(path.read_bytes()), "html.parser")
    out = Extracted("html")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    canonical = soup.find("link", rel="canonical") or soup.find("meta", property="og:url")
    if canonical:
        out.source_url = canonical.get("href") or canonical.get("content") or ""
    if soup.title and soup.title.string:
        out.title = soup.title.string.strip()
    blocks = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "center",
              "td", "th", "body", "blockquote", "pre"}

    def walk(node) -> None:
        for child in node.children:
            name = getattr(child, "name", None)
            if name == "table":
                for tr in child.find_all("tr"):
                    if tr.find_parent("table") is not child:
                        continue
                    cells = [_cell_text(td) for td in tr.find_all(["td", "th"], recursive=False)]
                    out.add("\t".join(cells) + ("\t" if len(cells) == 1 else ""),
                            str(tr.sourceline or 0))
                out.add("", str(child.sourceline or 0))
            elif name in blocks and child.find(list(blocks | {"table", "br"})):
                walk(child)
            elif name in blocks or name == "br":
                text = " ".join(child.get_text(" ").split())
                if text:
                    out.add(text, str(child.sourceline or 0))
                    out.add("", str(child.sourceline or 0))
            elif name is None and str(child).strip() and node.name in blocks:
                out.add(" ".join(str(child).split()), str(getattr(node, "sourceline", 0) or 0))
            elif name:
                walk(child)

    walk(soup.body or soup)
    head = "\n".join(out.lines[:12])
    m = re.search(r"发布(?:日期|时间)[:：]\s*(\d{4}-\d{2}-\d{2})", head)
    if m:
        out.published = m.group(1)
    return out


def _paragraph_lines(lines: list[str]) -> list[str]:
    """PDF text lines with a blank line after each line that ends a paragraph (it ends a
    sentence and is visibly shorter than a full line)."""
    width = max((len(line) for line in lines), default=0)
    out = []
    for line in lines:
        out.append(line)
        if line.rstrip().endswith(_SENTENCE_END) and len(line) < width - 2:
            out.append("")
    return out


def read_pdf(path: Path) -> Extracted:
    import pdfplumber

    out = Extracted("pdf")
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many types for a broken file
        raise SourceError("pdf-unreadable", f"not a readable PDF ({type(exc).__name__})",
                          "a text PDF as published; a scanned PDF needs OCR first") from exc
    with pdf:
        for number, page in enumerate(pdf.pages, 1):
            origin = f"p{number}"
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            top = 0.0
            bands = [(t.bbox[1], t) for t in tables] + [(page.height, None)]
            for bottom, table in bands:
                if bottom > top + 1:
                    crop = page.crop((0, top, page.width, min(bottom, page.height)))
                    text = crop.extract_text() or ""
                    lines = [l for l in text.split("\n") if l.strip() and not PAGE_NUMBER.match(l)]
                    for line in _paragraph_lines(lines):
                        out.add(line, origin)
                if table is None:
                    break
                rows = table.extract()
                for row in rows:
                    cells = ["".join((c or "").split()) for c in row]
                    if sum(1 for c in cells if c) <= 1:
                        text = next((c for c in cells if c), "")
                        if text:
                            out.add(text, origin)
                    else:
                        out.add("\t".join(cells), origin)
                top = table.bbox[3]
    if not any(line.strip() for line in out.lines):
        raise SourceError("pdf-no-text", "the PDF has no text layer",
                          "a scanned PDF needs OCR before it can be imported")
    return out


def read_source(path: Path) -> Extracted:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return read_html(path)
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix in (".txt", ".md", ".text", ""):
        return read_text(path)
    raise SourceError("unknown-format", f"cannot import a {suffix} file",
                      "import .txt, .md, .html or .pdf")
