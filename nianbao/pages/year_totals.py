"""Figures over many reports (a year's totals) and a year's reports as a table of data.

A total adds up only the reports that published every figure it needs as a number (status
``reported``): a blank, a dash, a missing row or an unreadable cell is not a zero, and a report
that published a rate's denominator but not its numerator would make the rate too low (上海 2019
left 予以公开 and 部分公开 blank but printed its 805 results: counted, 予以公开及部分公开 read 1 %
instead of 34.8 %). Each total says how many reports it covers and which were left out, and why,
on the page and in the data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from nianbao.domain.model import REPORTED
from nianbao.packaging.formula_guard import neutralise
from nianbao.pages.contexts import (Download, FieldDoc, Figure, NavItem, Page, ResourceDoc,
                                    YearTotals, YearsData, human_size)
from nianbao.pages.series import Measure, headline, key_series, why_missing

NAMED = 5  # left-out reports a total names on a page; the data names every one


@dataclass(frozen=True)
class LeftOut:
    report_id: str
    agency: str
    why: str  # which of its cells were not published, and how (``予以公开、部分公开未填``)


@dataclass(frozen=True)
class Total:
    """One key series measure over a year's reports: the sum of its numerator (and
    denominator) over the reports that published every cell it needs."""

    code: str
    label: str
    rate: bool
    num: int | None  # None: no report published it
    den: int | None
    reports: int  # the reports of the year
    left_out: tuple[LeftOut, ...]

    @property
    def counted(self) -> int:
        return self.reports - len(self.left_out)

    @property
    def share(self) -> float | None:
        return None if self.num is None or not self.den else self.num / self.den

    def coverage(self, named: int = NAMED) -> str:
        """How many reports it covers and which were left out, and why ("" if it covers all)."""
        if not self.left_out:
            return ""
        names = "；".join(f"{x.agency}（{x.why}）" for x in self.left_out[:named])
        more = len(self.left_out) - named
        rest = f"等 {len(self.left_out)} 份（全部见本年度数据下载）" if more > 0 else ""
        return f"{self.reports} 份报告中的 {self.counted} 份；未计入：{names}{rest}"

    def figure(self) -> Figure:
        return headline(self, coverage=self.coverage())


TOTALS = ("new", "granted", "review")  # the key series measures a year is summed up by


def total(measures: list[tuple[object, Measure]]) -> Total:
    """``measures``: each report of the year with its value of one measure."""
    first = measures[0][1]
    counted = [m for _, m in measures if m.published]
    left = tuple(LeftOut(r.report_id, r.meta.agency, m.why) for r, m in measures if not m.published)
    num = sum(m.num for m in counted) if counted else None
    den = sum(m.den for m in counted) if counted and first.rate else None
    return Total(first.code, first.label, first.rate, num, den, len(measures), left)


def year_totals(reports: list) -> tuple[Total, ...]:
    """A year's totals, its reports in agency order (so left-out ones are named in that order)."""
    ordered = sorted(reports, key=lambda r: (r.meta.agency_id, r.report_id))
    series = [(r, {m.code: m for m in key_series(r)}) for r in ordered]
    return tuple(total([(r, s[code]) for r, s in series]) for code in TOTALS) if series else ()


def totals_figures(reports: int, totals: tuple[Total, ...]) -> tuple[Figure, ...]:
    return (Figure("报告", str(reports), "份"), *(t.figure() for t in totals))


def _csv(fields: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: neutralise(v) for k, v in r.items()} for r in rows)
    return out.getvalue().encode("utf-8")


def _blank(x) -> object:
    return "" if x is None else x


TOTALS_FIELDS = ["year", "measure", "label", "value", "numerator", "denominator", "reports",
                 "reports_counted", "reports_left_out", "left_out", "note"]


def totals_csv(years: list[tuple[int, tuple[Total, ...]]]) -> bytes:
    """Every year's totals as data, each with the reports it covers and those left out."""
    rows = [{"year": year, "measure": t.code, "label": t.label,
             "value": _blank(t.num) if not t.rate else
             ("" if t.share is None else f"{t.share:.4f}"),
             "numerator": _blank(t.num) if t.rate else "",
             "denominator": _blank(t.den) if t.rate else "",
             "reports": t.reports, "reports_counted": t.counted,
             "reports_left_out": len(t.left_out),
             "left_out": " ".join(x.report_id for x in t.left_out),
             "note": t.coverage(named=len(t.left_out))}
            for year, totals in years for t in totals]
    return _csv(TOTALS_FIELDS, rows)


def _status(m: Measure) -> str:
    """``reported`` when every cell the figure needs was published as a number; else the status
    of the first that was not (``not_published`` names each)."""
    return m.missing[0][1] if m.missing else REPORTED


def report_fields() -> list[str]:
    fields = ["report_id", "year", "agency_id", "agency"]
    for code, rate in (("new", False), ("granted", True), ("not_held", True), ("review", False),
                       ("review_corrected", True), ("litigation", False),
                       ("litigation_corrected", True)):
        fields += ([f"{code}_share", f"{code}_numerator", f"{code}_denominator"] if rate
                   else [code]) + [f"{code}_status"]
    return fields + ["not_published"]


def reports_csv(reports: list) -> bytes:
    """A year's table across agencies as data: each report's key series, each figure with its
    status, so that a figure not published is never read as 0."""
    rows = []
    for r in sorted(reports, key=lambda r: (r.meta.agency_id, r.report_id)):
        row = {"report_id": r.report_id, "year": r.meta.year, "agency_id": r.meta.agency_id,
               "agency": r.meta.agency}
        missing: dict[tuple[str, str], None] = {}
        for m in key_series(r):
            if m.rate:
                row[f"{m.code}_share"] = "" if m.share is None else f"{m.share:.4f}"
                row[f"{m.code}_numerator"] = _blank(m.num)
                row[f"{m.code}_denominator"] = _blank(m.den)
            else:
                row[m.code] = _blank(m.num)
            row[f"{m.code}_status"] = _status(m)
            missing.update(dict.fromkeys(m.missing))
        row["not_published"] = why_missing(tuple(missing))
        rows.append(row)
    return _csv(report_fields(), rows)


def year_downloads(year: int, reports: list, totals: tuple[Total, ...]
                   ) -> tuple[tuple[Download, ...], dict[str, bytes]]:
    """A year's table across agencies (all its reports) and its totals, as CSV beside its page."""
    table, sums = f"years/{year}/{year}-reports.csv", f"years/{year}/{year}-totals.csv"
    files = {table: reports_csv(reports), sums: totals_csv([(year, totals)])}
    return (Download(f"{year} 年度各机关主要数据（每份报告一行，每个数字附状态）", table, "CSV",
                     human_size(len(files[table]))),
            Download(f"{year} 年度合计（含计入与未计入的报告）", sums, "CSV",
                     human_size(len(files[sums])))), files


def years_index(years: list[tuple[int, tuple[Figure, ...], tuple[Total, ...]]]) -> Page:
    """The years page: every year's totals (newest first), and all of them as one CSV."""
    path = "years/totals.csv"
    data = totals_csv([(year, totals) for year, _, totals in years])
    download = Download("各年度合计（每年每项一行，含计入与未计入的报告）", path, "CSV",
                        human_size(len(data)))
    return Page("years/index.html", "years.html", "全部年度", "按年度浏览报告。", "years",
                YearsData(tuple(YearTotals(year, figures) for year, figures, _ in years),
                          (download,)),
                (NavItem("home", "首页", "index.html"),), files=((path, data),))


_STATUS = ("状态：reported 表示此数所需各格均以数字公布（含 0）；否则为第一个未以数字公布之格的状态"
           "（blank、dash、absent、unreadable），未公布的数为空，各格见 not_published")
_MEASURES = {  # code → (name, numerator, denominator or "" for a count)
    "new": ("新收申请", "表三“一、本年新收政府信息公开申请数量”总计列", ""),
    "granted": ("予以公开及部分公开", "（一）予以公开 + （二）部分公开，总计列", "（七）办理结果总计，总计列"),
    "not_held": ("本机关不掌握", "（四）1. 本机关不掌握相关政府信息，总计列", "（七）办理结果总计，总计列"),
    "review": ("行政复议", "表四行政复议总计", ""),
    "review_corrected": ("复议纠正率", "行政复议结果纠正", "行政复议总计"),
    "litigation": ("行政诉讼", "表四未经复议直接起诉总计 + 复议后起诉总计", ""),
    "litigation_corrected": ("诉讼纠正率", "两类诉讼结果纠正之和", "两类诉讼总计之和"),
}


def year_file_docs() -> tuple[ResourceDoc, ...]:
    """The fields of the year pages' CSV files, for the datasets page."""
    fields = [FieldDoc("report_id", "string", "报告编号", "<年度>-<机关代码>", "唯一 unique"),
              FieldDoc("year", "year", "年度", "报告所属年度", ""),
              FieldDoc("agency_id", "string", "机关代码", "", ""),
              FieldDoc("agency", "string", "机关", "机关名称", "")]
    for code, (name, num, den) in _MEASURES.items():
        if den:
            fields += [FieldDoc(f"{code}_share", "number", name, f"{num} ÷ {den}，四位小数；"
                                "分子或分母未公布、分母为 0 时为空", ""),
                       FieldDoc(f"{code}_numerator", "integer", f"{name}（分子）", num, ""),
                       FieldDoc(f"{code}_denominator", "integer", f"{name}（分母）", den, "")]
        else:
            fields.append(FieldDoc(code, "integer", name, num + "；未以数字公布时为空", ""))
        fields.append(FieldDoc(f"{code}_status", "string", f"{name}（状态）", _STATUS, ""))
    fields.append(FieldDoc("not_published", "string", "未以数字公布",
                           "上列各数所需而未以数字公布的格及其状态，如“予以公开、部分公开未填”", ""))
    totals = (
        FieldDoc("year", "year", "年度", "", ""),
        FieldDoc("measure", "string", "指标代码", "new、granted 或 review（同上表的列名）", ""),
        FieldDoc("label", "string", "指标", "", ""),
        FieldDoc("value", "number", "合计", "计数为各报告之和；比率为分子之和 ÷ 分母之和（四位小数）。"
                 "只计入此数所需各格均以数字公布的报告；没有这样的报告时为空", ""),
        FieldDoc("numerator", "integer", "分子之和", "比率的分子之和（计数为空）", ""),
        FieldDoc("denominator", "integer", "分母之和", "比率的分母之和（计数为空）", ""),
        FieldDoc("reports", "integer", "报告数", "该年度收录的报告", ""),
        FieldDoc("reports_counted", "integer", "计入的报告", "", ""),
        FieldDoc("reports_left_out", "integer", "未计入的报告", "", ""),
        FieldDoc("left_out", "string", "未计入的报告编号", "以空格分隔", ""),
        FieldDoc("note", "string", "说明", "未计入的报告及原因，同页面所示", ""),
    )
    return (ResourceDoc("year-reports", "年度各机关主要数据", "years/<年度>/<年度>-reports.csv",
                        "report_id", tuple(fields), None),
            ResourceDoc("year-totals", "年度合计", "years/<年度>/<年度>-totals.csv；各年度：years/totals.csv",
                        "year, measure", totals, None))
