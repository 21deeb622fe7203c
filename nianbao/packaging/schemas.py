"""Table Schemas of the published data contract, generated from the template definitions.

Field order, names and codes are the contract (``shared/domain/data-contract.md``); every enum of
codes comes from ``forms.yaml``. Titles and descriptions are bilingual: "中文 / English".
"""

from __future__ import annotations

from nianbao.domain.forms import VERSIONS, Forms
from nianbao.domain.model import STATUSES

RESULTS = ("pass", "fail")
TEMPLATES = (*VERSIONS, "hybrid")
UNITS = ("件", "项", "万元", "元")

# status → (name, meaning), in Chinese: the about page and the per-report workbooks explain it so
STATUS_MEANINGS: dict[str, tuple[str, str]] = {
    "reported": ("已填数字", "报告印有数字（含 0）。只有此状态带有数值。"),
    "blank": ("空白", "原表此格空白。校验时按 0 计，并在说明中注明。"),
    "dash": ("符号", "原表印“-”“—”“/”等，表示无或不适用。校验时按 0 计。"),
    "absent": ("缺行", "报告缺少该行；不以 0 代替。"),
    "unreadable": ("无法识别", "原文无法唯一还原该数字（例如数字粘连）；不作猜测。"),
}
assert tuple(STATUS_MEANINGS) == STATUSES

# name → (title zh, title en, description zh, description en)
FIELD_DOCS: dict[str, tuple[str, str, str, str]] = {
    "report_id": ("报告编号", "Report ID", "年份-机关代码", "<year>-<agency_id>"),
    "year": ("报告年度", "Reporting year", "报告所涉的年度（1月1日至12月31日）",
             "The calendar year the report covers"),
    "agency_id": ("机关代码", "Agency ID", "机关名称的ASCII简写", "ASCII slug naming the agency"),
    "agency": ("机关", "Agency", "发布报告的机关（中文名称）", "The reporting agency, in Chinese"),
    "title": ("标题", "Title", "报告标题", "Title of the report as published"),
    "template": ("格式版本", "Template",
                 "表格所用的国家格式：2019 即 2019 年格式，2021 即 2021 年格式，hybrid 即混合格式"
                 "（各表所用格式不一）",
                 "National template of the tables: 2019, 2021, or hybrid (tables of both forms)"),
    "source_url": ("原文链接", "Source URL", "报告发布的网址", "Where the report was published"),
    "published": ("发布日期", "Published", "报告的发布日期（可为空）", "Publication date, may be empty"),
    "full_text": ("含全文", "Full text", "本站是否收录报告正文", "Whether the site carries the prose"),
    "article": ("条款", "Article", "《条例》第二十条的项", "Item of Article 20 of the Regulations"),
    "item": ("信息内容", "Information item", "表二的行", "Row of table 2"),
    "measure": ("指标", "Measure", "表二的列", "Column of table 2"),
    "row": ("行", "Row", "表三的行", "Row of table 3"),
    "applicant": ("申请人", "Applicant", "表三的列（申请人情况）", "Column of table 3 (applicant type)"),
    "proceeding": ("程序", "Proceeding", "行政复议或行政诉讼", "Reconsideration or litigation"),
    "outcome": ("结果", "Outcome", "表四的结果列", "Outcome column of table 4"),
    "value": ("数值", "Value", "报告所载数值；未以数字公布时为空（见 status）",
              "The published figure; empty when none was printed (see status)"),
    "unit": ("单位", "Unit", "数值的单位（件、项、万元、元）", "Unit of the value"),
    "status": ("公布情况", "Status",
               "reported 已填数字；blank 空白；dash 以“-”“—”“/”表示；absent 缺少该行；unreadable 无法唯一识别",
               "reported, blank, dash (-, — or /), absent (row missing), unreadable (ambiguous)"),
    "check": ("校验", "Check", "勾稽关系编号（A1…R4，X5）", "Identity ID (A1…R4, X5)"),
    "scope": ("范围", "Scope", "所校验的列、行、表或正文位置",
              "The column, row, table or prose passage checked"),
    "expected": ("应为", "Expected", "由组成部分算得的数值", "The value the parts add up to"),
    "actual": ("实际", "Actual", "报告所载的合计数值", "The total as printed"),
    "result": ("结果", "Result", "pass 通过；fail 不符", "pass or fail"),
    "acknowledged": ("已说明", "Acknowledged", "不符之处是否已在内容文件中说明",
                     "Whether a failure is acknowledged in the content file"),
    "message": ("说明", "Message", "校验过程与数值", "What was compared, with the figures"),
    "table": ("表", "Table", "表代码", "Table code"),
    "dimension": ("维度", "Dimension", "代码所属的维度", "Dimension the code belongs to"),
    "code": ("代码", "Code", "稳定的英文代码", "Stable code"),
    "label_zh": ("中文名称", "Chinese label", "格式中的中文名称", "Label in the national template"),
    "label_en": ("英文名称", "English label", "英文译名", "English translation"),
    "templates": ("所属格式", "Templates", "含有该代码的格式版本（空格分隔）",
                  "Template versions that have the code (space separated)"),
}


def field(name: str, type_: str, required: bool = False, **extra) -> dict:
    zh, en, dzh, den = FIELD_DOCS[name]
    out = {"name": name, "type": type_, "title": f"{zh} / {en}", "description": f"{dzh} / {den}"}
    constraints = dict(extra.pop("constraints", {}))
    if required:
        constraints["required"] = True
    if constraints:
        out["constraints"] = constraints
    out.update(extra)
    return out


def enum(name: str, values, required: bool = True) -> dict:
    return field(name, "string", required, constraints={"enum": list(values)})


def _report_fk() -> list[dict]:
    return [{"fields": ["report_id"], "reference": {"resource": "reports", "fields": ["report_id"]}}]


def identity_fields(unique: bool = False) -> list[dict]:
    """``report_id``, ``year``, ``agency_id``, ``agency``: whose a row is (``unique``: one row a
    report)."""
    report_id = {"pattern": r"^\d{4}-[a-z0-9-]+$", **({"unique": True} if unique else {})}
    return [field("report_id", "string", True, constraints=report_id),
            field("year", "year", True),
            field("agency_id", "string", True, constraints={"pattern": r"^[a-z0-9-]+$"}),
            field("agency", "string", True)]


def combined_schemas(forms: Forms) -> dict[str, dict]:
    """The Table Schema of every resource of the combined package, in contract order."""
    active = forms.table("active")
    apps = forms.table("applications")
    review = forms.table("review_litigation")
    report_id, year = identity_fields()[:2]
    status = enum("status", STATUSES)
    count = {"minimum": 0}
    return {
        "reports": {
            "fields": [
                *identity_fields(unique=True),
                field("title", "string", True),
                enum("template", TEMPLATES),
                field("source_url", "string", format="uri"),
                field("published", "date"),
                field("full_text", "boolean", True),
            ],
            "primaryKey": ["report_id"],
        },
        "proactive": {
            "fields": [
                report_id, year,
                enum("article", [a.code for a in active.articles]),
                enum("item", list(dict.fromkeys(i.code for a in active.articles for i in a.items))),
                enum("measure", list(active.measures)),
                field("value", "number"),
                enum("unit", UNITS, required=False),
                status,
            ],
            "primaryKey": ["report_id", "article", "item", "measure"],
            "foreignKeys": _report_fk(),
        },
        "applications": {
            "fields": [
                report_id, year,
                enum("row", [r.code for r in apps.rows]),
                enum("applicant", [c.code for c in apps.columns]),
                field("value", "integer", constraints=count),
                status,
            ],
            "primaryKey": ["report_id", "row", "applicant"],
            "foreignKeys": _report_fk(),
        },
        "review_litigation": {
            "fields": [
                report_id, year,
                enum("proceeding", [r.code for r in review.rows]),
                enum("outcome", [c.code for c in review.columns]),
                field("value", "integer", constraints=count),
                status,
            ],
            "primaryKey": ["report_id", "proceeding", "outcome"],
            "foreignKeys": _report_fk(),
        },
        "checks": checks_schema(forms, with_fk=True),
        "codes": {
            "fields": [
                enum("table", list(forms.tables)),
                field("dimension", "string", True),
                field("code", "string", True),
                field("label_zh", "string", True),
                field("label_en", "string", True),
                field("templates", "string", True),
            ],
            "primaryKey": ["table", "dimension", "code"],
        },
    }


def checks_schema(forms: Forms, with_fk: bool) -> dict:
    schema = {
        "fields": [
            field("report_id", "string", True),
            enum("check", [i.id for i in forms.identities]),
            field("scope", "string", True),
            field("expected", "number"),
            field("actual", "number"),
            enum("result", RESULTS),
            field("acknowledged", "boolean", True),
            field("message", "string"),
        ],
        "primaryKey": ["report_id", "check", "scope"],
    }
    if with_fk:
        schema["foreignKeys"] = _report_fk()
    return schema


def report_checks_schema(forms: Forms) -> dict:
    """A per-report package's checks: those of the combined package, whose (``report_id``,
    ``year``, ``agency_id``, ``agency`` first, as in its other files)."""
    schema = checks_schema(forms, with_fk=False)
    return {**schema, "fields": [*identity_fields(), *schema["fields"][1:]]}
