"""What the indexed pages give the search index beyond what they print, in attributes that
Pagefind indexes (``data-pagefind-index-attrs``) and browsers neither show nor read aloud:

- ``pinyin``: an agency's name in pinyin and its id, so that ``heilongjiang``, ``hei long jiang``
  or ``heilongjiang sheng`` find 黑龙江省人民政府 and its reports;
- ``review_gist``: table 四 in a line (行政复议 225 件、行政诉讼 199 件；复议结果：维持 109 …), under
  the heading of its section, so that a search for 行政复议 or 行政诉讼 shows each report's figures
  rather than the section heading every report shares (the table's cells are not indexed).

Both are a few dozen characters a report: the index stays about the size it was.
"""

from __future__ import annotations

import functools
import re

from nianbao.domain.model import Report
from nianbao.pages.table_layout import format_value

# The place names an agency's name starts with: 黑龙江省 | 淮安市 洪泽区 | 广州市 | 黔东南州 …
_PLACE = re.compile(r"[^省市区县盟旗]{2,}?[省市区县州盟旗]")


@functools.lru_cache(maxsize=4096)
def pinyin(agency: str, agency_id: str) -> str:
    """Search words for an agency: its id, each place name at the start of its name in pinyin with
    and without the division (heilongjiangsheng, heilongjiang), then every syllable of the name
    (hei long jiang sheng ren min zheng fu), each word once, lower case."""
    from pypinyin import lazy_pinyin  # its dictionaries take a fifth of a second to load

    words, syllables, rest = [agency_id.lower()], [], agency
    while m := _PLACE.match(rest):  # read apart: 重庆市长寿区 is chong qing shi, chang shou qu
        place = lazy_pinyin(m.group(0))
        words += ["".join(place), "".join(place[:-1])]
        syllables += place
        rest = rest[m.end():]
    words += syllables + lazy_pinyin(rest)
    words = [w.lower() for w in words if re.fullmatch(r"[a-zA-Z0-9-]+", w)]
    return " ".join(dict.fromkeys(words))


def _figure(value, unit: str = "") -> str:
    """A figure as printed, with its unit; one not printed as a number reads 未公布, no unit."""
    return "未公布" if value is None else f"{format_value(value)}{unit}"


# Table 四's outcomes and kinds of lawsuit in the gist: the printed labels, shortened so that a
# result's excerpt (30 words, the section heading among them) reaches past the totals.
OUTCOMES = (("upheld", "维持"), ("corrected", "纠正"), ("other", "其他"), ("pending", "未审结"))
LAWSUITS = (("litigation_direct", "未经复议直接起诉"), ("litigation_after_review", "复议后起诉"))


def review_gist(report: Report) -> str:
    """Table 四 in a line: the totals of 行政复议 and 行政诉讼 (the two kinds of lawsuit added, as the
    report's headline does) first, then the outcomes of 行政复议 and the kinds of lawsuit, as
    printed (未公布, with no unit, where no figure was printed; parts that are all 0 are left
    out); "" without table 四."""
    if not any(c.table == "review_litigation" for c in report.cells):
        return ""
    value = functools.partial(report.value, "review_litigation")
    parts = [(label, value("review", code)) for code, label in OUTCOMES]
    suits = [(label, value(code, "total")) for code, label in LAWSUITS]
    litigation = None if any(v is None for _, v in suits) else sum(v for _, v in suits)
    text = f"行政复议 {_figure(value('review', 'total'), ' 件')}、行政诉讼 {_figure(litigation, ' 件')}"
    return text + _parts("复议结果", parts) + _parts("诉讼", suits)


def _parts(what: str, parts: list[tuple[str, object]]) -> str:
    if all(v == 0 for _, v in parts):
        return ""
    return f"；{what}：" + "、".join(f"{label} {_figure(v)}" for label, v in parts)
