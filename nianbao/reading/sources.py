"""Reading a published document (text, HTML or PDF) into lines the parser reads, and telling
what a file's bytes are (empty, binary, UTF-16, GB18030, UTF-8) for the importer and the loader.

Tables become tab-separated lines, one printed row a line (HTML from its markup, PDF from the
ruled cells pdfplumber finds, since a PDF's text layer scrambles merged cells); prose becomes
lines with blank lines between paragraphs. Each line keeps the source line (HTML) or page (PDF)
it came from, for located messages. Nothing here interprets a figure.

A published document is read in whichever encoding its site used (UTF-8, GB18030/GBK, UTF-16);
a content file must be UTF-8 (``decode_content``), and any other encoding is named, not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from nianbao.domain.diagnostics import Diagnostic, SourceText

PAGE_NUMBER = re.compile(r"^\s*[-—－]\s*\d{1,3}\s*[-—－]\s*$")
CRAWL_MARK = re.compile(r"^=+\s*正文\s*=+\s*$", re.M)
_SENTENCE_END = tuple("。！？；：”）)")
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f\ufffe\uffff]")
MAX_BYTES = {"pdf": 100 * 1024 * 1024, "": 5 * 1024 * 1024}  # a PDF; a text or HTML page


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
        # control characters (a PDF's page breaks, stray bytes) become spaces: columns stay put
        self.lines.append(_UNPRINTABLE.sub(" ", text))
        self.origin.append(origin)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --- what a file's bytes are (shared with load) ---------------------------------------------

_AS_TEXT = "save the report as plain text (UTF-8), or import its PDF or HTML version"
_SCAN = "a scanned report needs OCR before it can be used"
MAGIC = (  # signatures of the binary files most often saved under a wrong name
    (b"%PDF-", "a PDF document", "import it: python build.py import FILE.pdf"),
    (b"PK\x03\x04", "a ZIP archive (a .docx, .xlsx or .zip file)", _AS_TEXT),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc, .xls or .wps)", _AS_TEXT),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", _SCAN), (b"\xff\xd8\xff", "a JPEG image", _SCAN),
    (b"GIF8", "a GIF image", _SCAN), (b"\x1f\x8b", "a gzip archive", "unpack it first"))
WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32LE", "utf-32"), (b"\x00\x00\xfe\xff", "UTF-32BE", "utf-32"),
             (b"\xff\xfe", "UTF-16LE", "utf-16"), (b"\xfe\xff", "UTF-16BE", "utf-16"))
# characters that have no place in a text file (tab and line ends excepted); XML refuses them too
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
BINARY_SHARE = 0.01  # more control characters than this share of the text: a binary file
SHOWN_AT_MOST = 20  # lines with control characters located one by one


@dataclass(frozen=True)
class Sniffed:
    """What a file's bytes are, before any decoding: ``empty``, ``wide`` (UTF-16/32, with its
    codec), ``binary`` (with what it is and a hint) or ``text`` (to be decoded)."""

    kind: str
    what: str = ""
    codec: str = ""
    hint: str = ""


def sniff(raw: bytes) -> Sniffed:
    if not raw.removeprefix(b"\xef\xbb\xbf").strip():
        return Sniffed("empty", "only white space" if raw else "0 bytes")
    for bom, name, codec in WIDE_BOMS:
        if raw.startswith(bom):
            return Sniffed("wide", name, codec, "it starts with a byte-order mark")
    for magic, what, hint in MAGIC:
        if raw.startswith(magic):
            return Sniffed("binary", what, hint=hint)
    sample = raw[:8192]
    if b"\x00" in sample:  # UTF-16 without a byte-order mark: ASCII has a NUL in every other byte
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        codec = "utf-16-le" if odd > even else "utf-16-be"
        if 3 * min(even, odd) <= max(even, odd) and max(even, odd) >= len(sample) // 50:
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                text = ""
            if text and not CONTROL.search(text):
                name = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
                return Sniffed("wide", name, codec, "with no byte-order mark")
    return Sniffed("text")


def looks_gb18030(raw: bytes) -> bool:
    """True for Chinese text in GB18030/GBK/GB2312: it decodes, and its characters are Chinese
    ones, most of them common (GB2312 level 1). Other bytes that happen to decode give rare ones."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [ch for ch in text if ord(ch) > 0x7F]
    hanzi = [ch for ch in wide if "\u4e00" <= ch <= "\u9fff"]
    if not hanzi or len(hanzi) < 0.5 * len(wide):
        return False
    common = sum(1 for ch in hanzi if 0xB0 <= ch.encode("gb18030")[0] <= 0xD7)
    return common >= 0.6 * len(hanzi)


def decode(data: bytes) -> str:
    """A published document's text: UTF-8, GB18030/GBK or UTF-16/32, whichever its site used (the
    content file written from it is UTF-8). Empty and binary files are named."""
    sniffed = sniff(data)
    if sniffed.kind == "empty":
        raise SourceError("file-empty", f"the file is empty ({sniffed.what})",
                          "the path of a report as published (.txt, .md, .html or .pdf)")
    if sniffed.kind == "binary":
        raise SourceError("file-binary", f"the file is {sniffed.what}, not text", sniffed.hint)
    encodings = (sniffed.codec,) if sniffed.kind == "wide" else ("utf-8-sig", "gb18030")
    text = next((data.decode(e) for e in encodings if _decodes(data, e)), None)
    if text is not None and len(CONTROL.findall(text)) <= max(8, BINARY_SHARE * len(text)):
        return text
    if text is not None or binary_bytes(data):
        raise SourceError("file-binary", "the file is binary, not text (it holds control bytes)",
                          "import the document as published: a .txt, .md, .html or .pdf file")
    raise SourceError("not-text", "the file is neither UTF-8, GB18030 nor UTF-16 text",
                      "save it as UTF-8, or import the HTML or PDF it came from")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def binary_bytes(raw: bytes) -> bool:
    """True for bytes that no text encoding explains: NUL bytes, or many control bytes."""
    return b"\x00" in raw or len(CONTROL.findall(raw.decode("latin-1"))) > BINARY_SHARE * len(raw)


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
    number = 0
    try:
        with pdf:
            for number, page in enumerate(pdf.pages, 1):
                _read_page(page, f"p{number}", out)
    except Exception as exc:  # a damaged page: pdfminer raises many types here too
        raise SourceError("pdf-unreadable", f"the PDF is damaged ({type(exc).__name__} on page "
                          f"{number or 1})", "the PDF as published, not a broken copy") from exc
    if not any(line.strip() for line in out.lines):
        raise SourceError("pdf-no-text", "the PDF has no text layer",
                          "a scanned PDF needs OCR before it can be imported")
    return out


def _read_page(page, origin: str, out: Extracted) -> None:
    """One PDF page: its text between tables, and each ruled table one row a line."""
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


def read_source(path: Path) -> Extracted:
    suffix = path.suffix.lower()
    limit = MAX_BYTES["pdf" if suffix == ".pdf" else ""]
    if path.stat().st_size > limit:
        raise SourceError("file-too-large", f"{path.stat().st_size} bytes is too large to be a "
                          "report", f"a published report is at most {limit} bytes")
    readers = {".html": read_html, ".htm": read_html, ".pdf": read_pdf, ".txt": read_text,
               ".md": read_text, ".text": read_text, "": read_text}
    if suffix not in readers:
        raise SourceError("unknown-format", f"cannot import a {suffix} file",
                          "import .txt, .md, .html or .pdf")
    out = readers[suffix](path)
    # what a crawl header or <title> says goes into the front matter: no control characters
    out.title, out.source_url, out.published = map(one_line, (out.title, out.source_url,
                                                              out.published))
    return out


def one_line(text: str) -> str:
    """Text for the front matter: control characters and runs of white space as one space."""
    return " ".join(_UNPRINTABLE.sub(" ", text).split())


# --- a content file's bytes to text, or located diagnostics saying why not --------------------

EMPTY_HINT = ("a content file starts with '---', the front matter (title, agency, agency_id, "
              "year), '---', then the report text")
BINARY_HINT = "a content file is UTF-8 text; import a document with `python build.py import FILE`"


def _position(raw: bytes, offset: int, encoding: str) -> tuple[int, int, str]:
    """(line, column, the line's text) of a byte offset, the line decoded as ``encoding``."""
    start = raw.rfind(b"\n", 0, offset) + 1
    end = raw.find(b"\n", offset)
    line_bytes = raw[start : end if end >= 0 else len(raw)]
    col = len(raw[start:offset].decode(encoding, errors="replace")) + 1
    text = line_bytes.decode(encoding, errors="replace").rstrip("\r")
    return raw.count(b"\n", 0, start) + 1, col, text


def _picture(m: re.Match) -> str:
    code = ord(m.group())
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else "\ufffd"


def _controls(text: str, shown_path: str) -> list[Diagnostic]:
    """Control characters in decoded text: located one by one (on the first ``SHOWN_AT_MOST``
    lines that have any), or, when there are many, the file is binary."""
    found = list(CONTROL.finditer(text))
    if not found:
        return []
    source = SourceText(shown_path, text)
    if len(found) > max(8, BINARY_SHARE * len(text)):
        first = found[0].start()
        line = text.count("\n", 0, first) + 1
        return [Diagnostic(shown_path, line, first - text.rfind("\n", 0, first), "file-binary",
                           f"the file is binary, not text: {len(found)} control characters such "
                           f"as U+{ord(found[0].group()):04X}, the first here",
                           hint=BINARY_HINT,
                           source=CONTROL.sub(_picture, source.line(line)))]
    out: list[Diagnostic] = []
    line, counted = 1, 0
    for n, m in enumerate(found):
        line_before, line = line, line + text.count("\n", counted, m.start())
        counted = m.start()
        if out and line == line_before:
            continue
        if len(out) == SHOWN_AT_MOST:
            last = out.pop()
            out.append(replace(last, message=f"{last.message} (and {len(found) - n} more after it)"))
            break
        code = ord(m.group())
        name = {0: " (NUL)", 0x0C: " (form feed, a page break)", 0x1B: " (escape)"}.get(code, "")
        out.append(Diagnostic(shown_path, line, m.start() - text.rfind("\n", 0, m.start()),
                              "control-character", f"control character U+{code:04X}{name} in the text",
                              hint="delete it: a content file holds text, tabs and line breaks only",
                              source=CONTROL.sub(_picture, source.line(line))))  # ␀, not NUL
    return out


def decode_content(raw: bytes, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """A content file's text (UTF-8, with or without a byte-order mark, any line ends), or the
    located reason it is not one. GB18030/GBK and UTF-16 files are recognised and named, not read:
    content files are UTF-8 so that every tool (git, editors, the site) reads them alike."""
    def convert(encoding: str) -> str:
        return f"convert it: iconv -f {encoding} -t UTF-8 {shown} > {shown}.new && mv {shown}.new {shown}"

    sniffed = sniff(raw)
    if sniffed.kind == "empty":
        return None, [Diagnostic(shown, 1, 1, "file-empty", f"the file is empty ({sniffed.what})",
                                 hint=EMPTY_HINT)]
    if sniffed.kind == "wide":
        return None, [Diagnostic(shown, 1, 1, "encoding-utf16", f"the file is {sniffed.what}-encoded "
                                 f"({sniffed.hint}), not UTF-8", hint=convert(sniffed.what))]
    if sniffed.kind == "binary":
        return None, [Diagnostic(shown, 1, 1, "file-binary", f"the file is {sniffed.what}, not text",
                                 hint=sniffed.hint)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if looks_gb18030(raw):
            line, col, source = _position(raw, exc.start, "gb18030")
            return None, [Diagnostic(shown, line, col, "encoding-gb18030", "the file is GB18030/GBK-"
                                     "encoded, not UTF-8 (this is its first non-UTF-8 character)",
                                     hint=convert("GB18030"), source=source)]
        if binary_bytes(raw):
            return None, [Diagnostic(shown, 1, 1, "file-binary", "the file is binary, not text (it "
                                     "is neither UTF-8 nor GB18030, and holds control bytes)",
                                     hint=BINARY_HINT)]
        line, col, source = _position(raw, exc.start, "utf-8")
        return None, [Diagnostic(shown, line, col, "not-utf8", f"byte 0x{raw[exc.start]:02X} is not "
                                 "UTF-8 (nor GB18030 text)", hint=convert("ENCODING"), source=source)]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems = _controls(text, shown)
    return (None, problems) if problems else (text, [])
