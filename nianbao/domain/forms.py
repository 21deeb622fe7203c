"""The national templates, loaded once from ``forms.yaml`` into frozen objects.

Everything that knows a code, a label or an identity asks this module: the parser (which label
means which row), the validator (which cells sum to which), the schemas (enums) and the pages
(printed headers). Nothing else spells a template code.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from importlib import resources

import yaml

VERSIONS = ("2019", "2021")


def squash(text: str) -> str:
    """NFKC, then every kind of white space removed: the form labels are compared in."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace())


@dataclass(frozen=True)
class Label:
    """A code with its Chinese label (per template version) and English label."""

    code: str
    label_zh: dict[str, str]
    label_en: str
    templates: tuple[str, ...] = VERSIONS
    keywords: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    ordinal: str = ""
    kind: str = "count"
    unit: str = ""

    def zh(self, version: str | None = None) -> str:
        if version in self.label_zh:
            return self.label_zh[version]
        return self.label_zh[self.templates[-1]]

    def zh_all(self) -> str:
        """Every distinct Chinese label, oldest form first (for the codes resource)."""
        seen: list[str] = []
        for version in VERSIONS:
            text = self.label_zh.get(version)
            if text and text not in seen:
                seen.append(text)
        return " / ".join(seen)

    def printed(self, version: str | None = None) -> str:
        return f"{self.ordinal}{self.zh(version)}"

    def matches(self, squashed_label: str) -> int:
        """Length of the best keyword this label contains (0: no match)."""
        stripped = strip_ordinal(squashed_label)
        if stripped in self.exact:
            return 100
        return max((len(k) for k in self.keywords if k in squashed_label), default=0)


def strip_ordinal(squashed: str) -> str:
    """``（三）不予公开`` → ``不予公开``; ``1.属于…`` → ``属于…`` (input already squashed)."""
    return re.sub(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])", "", squashed)


@dataclass(frozen=True)
class Section:
    code: str
    number: str
    label_zh: str
    label_en: str
    keywords: tuple[tuple[str, ...], ...]
    table: str | None = None

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.label_zh}"


@dataclass(frozen=True)
class Article:
    code: str
    number: str
    label: Label
    measures: dict[str, tuple[str, ...]]
    items: tuple[Label, ...]
    templates: tuple[str, ...] = VERSIONS


@dataclass(frozen=True)
class Identity:
    id: str
    table: str
    kind: str  # columns | rows | nonnegative | prose
    label_zh: str
    label_en: str
    total: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    patterns: tuple[dict, ...] = ()
    soft: bool = False  # a failure is shown but never fails --strict

    def expand(self, names: tuple[str, ...], available: tuple[str, ...]) -> tuple[str, ...]:
        """Names (with ``group.*`` patterns) resolved against the codes a table has."""
        out = []
        for code in available:
            if any(code == n or (n.endswith("*") and fnmatchcase(code, n)) for n in names):
                out.append(code)
        return tuple(out)


@dataclass(frozen=True)
class Table:
    code: str
    number: str
    label_zh: str
    label_en: str
    dimensions: tuple[str, ...]
    unit: str = ""
    rows: tuple[Label, ...] = ()  # applications rows / review_litigation proceedings
    columns: tuple[Label, ...] = ()  # applicants / outcomes
    row_groups: dict[str, Label] = field(default_factory=dict)
    column_groups: dict[str, Label] = field(default_factory=dict)
    articles: tuple[Article, ...] = ()
    measures: dict[str, Label] = field(default_factory=dict)
    corner_zh: str = ""
    corner_en: str = ""
    stub_zh: str = ""
    stub_en: str = ""
    short_zh: str = ""

    @property
    def short(self) -> str:
        """How the pages name the table in a few characters: ``表三 依申请公开``."""
        return f"表{self.number} {self.short_zh}"

    def rows_for(self, version: str) -> tuple[Label, ...]:
        return tuple(r for r in self.rows if version in r.templates)

    def row(self, code: str) -> Label:
        return next(r for r in self.rows if r.code == code)

    def column(self, code: str) -> Label:
        return next(c for c in self.columns if c.code == code)

    def article(self, code: str) -> Article:
        return next(a for a in self.articles if a.code == code)

    def cell_keys(self, version: str) -> tuple[tuple[str, ...], ...]:
        """Every template cell of this table in printed order, as dimension tuples."""
        if self.code == "active":
            return tuple(
                (a.code, item.code, m)
                for a in self.articles
                if version in a.templates
                for item in a.items
                if version in item.templates
                for m in a.measures[version]
            )
        return tuple((r.code, c.code) for r in self.rows_for(version) for c in self.columns)


@dataclass(frozen=True)
class Comparable:
    """A figure two forms print differently but that still compares (template-spec §7)."""

    table: str
    code: str
    label_zh: str
    label_en: str
    sum_of: tuple[str, ...] = ()  # row codes whose sum stands for ``code`` where it is not printed
    measures: dict[str, str] = field(default_factory=dict)  # form → measure read for ``code``
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Forms:
    versions: dict[str, dict[str, str]]
    sections: tuple[Section, ...]
    tables: dict[str, Table]
    identities: tuple[Identity, ...]
    comparable: tuple[Comparable, ...] = ()
    mixed: dict[str, str] = field(default_factory=dict)  # the names of ``hybrid``

    def table(self, code: str) -> Table:
        return self.tables[code]

    def template_name(self, version: str, full: bool = False) -> str:
        """How the pages name a template version: ``2019 年格式``, ``2021 年格式``, ``混合格式``
        (``hybrid``); ``full``: the document that set it, ``国办公开办函〔2019〕60号格式``."""
        names = self.mixed if version == "hybrid" else self.versions.get(version)
        return names["label_zh" if full else "short_zh"] if names else version

    def section(self, code: str) -> Section:
        return next(s for s in self.sections if s.code == code)

    def identity(self, check_id: str) -> Identity:
        return next(i for i in self.identities if i.id == check_id)

    def codes(self) -> list[dict[str, str]]:
        """Rows of the ``codes`` resource: every code of every dimension, in printed order."""
        out: list[dict[str, str]] = []

        def add(table: str, dimension: str, label: Label) -> None:
            out.append(
                {
                    "table": table,
                    "dimension": dimension,
                    "code": label.code,
                    "label_zh": label.zh_all(),
                    "label_en": label.label_en,
                    "templates": " ".join(label.templates),
                }
            )

        active = self.tables["active"]
        for article in active.articles:
            add("active", "article", article.label)
        for article in active.articles:
            for item in article.items:
                add("active", "item", item)
        for measure in active.measures.values():
            add("active", "measure", measure)
        for code in ("applications", "review_litigation"):
            table = self.tables[code]
            for row in table.rows:
                add(code, table.dimensions[0], row)
            for col in table.columns:
                add(code, table.dimensions[1], col)
        return out


def _label(code: str, raw: dict, templates: tuple[str, ...] = VERSIONS) -> Label:
    zh = raw["label_zh"]
    tpl = tuple(str(t) for t in raw.get("templates", templates))
    label_zh = {str(k): v for k, v in zh.items()} if isinstance(zh, dict) else {v: zh for v in tpl}
    return Label(
        code=code,
        label_zh=label_zh,
        label_en=raw["label_en"],
        templates=tpl,
        keywords=tuple(squash(k) for k in raw.get("keywords", ())),
        exact=tuple(squash(k) for k in raw.get("exact", ())),
        groups=tuple(raw.get("groups", ())),
        ordinal=raw.get("ordinal", ""),
        kind=raw.get("kind", "count"),
        unit=raw.get("unit", ""),
    )


def _table(code: str, raw: dict) -> Table:
    common = dict(
        code=code,
        number=raw["number"],
        label_zh=raw["label_zh"],
        label_en=raw["label_en"],
        dimensions=tuple(raw["dimensions"]),
        unit=raw.get("unit", ""),
        corner_zh=raw.get("corner_zh", ""),
        corner_en=raw.get("corner_en", ""),
        stub_zh=raw.get("stub_zh", ""),
        stub_en=raw.get("stub_en", ""),
        short_zh=raw["short_zh"],
        row_groups={k: _label(k, v) for k, v in raw.get("row_groups", {}).items()},
        column_groups={k: _label(k, v) for k, v in raw.get("column_groups", {}).items()},
    )
    if code == "active":
        measures = {k: _label(k, v) for k, v in raw["measures"].items()}
        articles = []
        for a in raw["articles"]:
            tpl = tuple(a.get("templates", VERSIONS))
            articles.append(
                Article(
                    code=a["code"],
                    number=a["number"],
                    label=_label(a["code"], a, tpl),
                    measures={str(k): tuple(v) for k, v in a["measures"].items()},
                    items=tuple(_label(i["code"], i, tpl) for i in a["items"]),
                    templates=tpl,
                )
            )
        return Table(**common, measures=measures, articles=tuple(articles))
    rows = raw.get("rows") or raw.get("proceedings")
    cols = raw.get("columns") or raw.get("outcomes")
    return Table(
        **common,
        rows=tuple(_label(r["code"], r) for r in rows),
        columns=tuple(_label(c["code"], c) for c in cols),
    )


@functools.cache
def load_forms() -> Forms:
    # libyaml's parser where PyYAML has it: a tenth of the pure-Python parser's 0.2 s
    raw = yaml.load(resources.files("nianbao.domain").joinpath("forms.yaml").read_text("utf-8"),
                    Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    sections = tuple(
        Section(
            code=s["code"],
            number=s["number"],
            label_zh=s["label_zh"],
            label_en=s["label_en"],
            keywords=tuple(tuple(group) for group in s["keywords"]),
            table=s.get("table"),
        )
        for s in raw["sections"]
    )
    tables = {code: _table(code, t) for code, t in raw["tables"].items()}
    identities = tuple(
        Identity(
            id=i["id"],
            table=i["table"],
            kind=i["kind"],
            label_zh=i["label_zh"],
            label_en=i["label_en"],
            total=tuple(i.get("total", ())),
            parts=tuple(i.get("parts", ())),
            rows=tuple(i.get("rows", ())),
            patterns=tuple(i.get("patterns", ())),
            soft=bool(i.get("soft", False)),
        )
        for i in raw["identities"]
    )
    return Forms(
        versions={str(k): v for k, v in raw["versions"].items()},
        mixed=raw["mixed"],
        sections=sections,
        tables=tables,
        identities=identities,
        comparable=tuple(
            Comparable(c["table"], c["code"], c["label_zh"], c["label_en"],
                       tuple(c.get("sum_of", ())), {str(k): v for k, v in c.get("measures", {}).items()},
                       c.get("note_zh", ""), c.get("note_en", ""))
            for c in raw.get("comparable", ())
        ),
    )
