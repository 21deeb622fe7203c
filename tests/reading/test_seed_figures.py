"""Seed-figure test: every published figure of the 黑龙江省 2020 report.

Source: 《黑龙江省 2020 年政府信息公开工作年度报告》 (v2019 national template),
tables 二 (主动公开), 三 (依申请公开) and 四 (行政复议、行政诉讼).

The expected values below are typed BY HAND from the printed report. They are
deliberately not computed from the report text and do not use the project's
parser, so this test is an independent check of the whole pipeline.

Data contract: the session fixture ``built_data`` (tests/conftest.py) returns
the directory of a freshly built Frictionless Data Package; each resource is
found by ``name`` in ``datapackage.json`` and read as UTF-8 CSV.
"""

import csv
import functools
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

REPORT_ID = "2020-heilongjiang"
YEAR = 2020
STATUS = "reported"


# ---------------------------------------------------------------------------
# Table 二 — 行政机关主动公开政府信息情况  (resource "proactive")
# key: (article, item, measure); values as printed (signs kept as printed)
# ---------------------------------------------------------------------------

PROACTIVE = {
    # 第二十条第（一）项       本年新制作数量 / 本年新公开数量 / 对外公开总数量
    ("art20_1", "regulations"):         {"newly_made": "6",    "newly_published": "6",    "total_published": "116"},    # 规章
    ("art20_1", "normative_docs"):      {"newly_made": "1959", "newly_published": "1959", "total_published": "11293"},  # 规范性文件
    # 第二十条第（五）项       上一年项目数量 / 本年增/减 / 处理决定数量
    ("art20_5", "licensing"):           {"prior_year_items": "851",  "change": "-38",   "decisions": "2180117"},  # 行政许可
    ("art20_5", "other_services"):      {"prior_year_items": "1318", "change": "+1366", "decisions": "8835832"},  # 其他对外管理服务事项
    # 第二十条第（六）项       上一年项目数量 / 本年增/减 / 处理决定数量
    ("art20_6", "penalty"):             {"prior_year_items": "6605", "change": "-909",  "decisions": "5330872"},  # 行政处罚
    ("art20_6", "coercion"):            {"prior_year_items": "490",  "change": "-61",   "decisions": "74440"},    # 行政强制
    # 第二十条第（八）项       上一年项目数量 / 本年增/减
    ("art20_8", "admin_fees"):          {"prior_year_items": "45",   "change": "-1"},                         # 行政事业性收费
    # 第二十条第（九）项       采购项目数量 / 采购总金额 (printed "3618261.46 万元")
    ("art20_9", "central_procurement"): {"items": "25942", "total_amount": "3618261.46"},                      # 政府集中采购
}

PROACTIVE_UNITS = {
    "newly_made": "件",
    "newly_published": "件",
    "total_published": "件",
    "decisions": "件",
    "prior_year_items": "项",
    "change": "项",
    "items": "项",
    "total_amount": "万元",
}

# Cells whose sign must survive the pipeline (本年增/减).
SIGNED_CELLS = {
    ("art20_5", "licensing", "change"): Decimal("-38"),
    ("art20_5", "other_services", "change"): Decimal("+1366"),
    ("art20_6", "penalty", "change"): Decimal("-909"),
    ("art20_6", "coercion", "change"): Decimal("-61"),
    ("art20_8", "admin_fees", "change"): Decimal("-1"),
}


# ---------------------------------------------------------------------------
# Table 三 — 收到和处理政府信息公开申请情况  (resource "applications")
# key: (row, applicant)
# ---------------------------------------------------------------------------

APPLICANTS = (
    "natural_person",         # 自然人
    "commercial_enterprise",  # 商业企业
    "research_institution",   # 科研机构
    "public_interest_org",    # 社会公益组织
    "legal_service_org",      # 法律服务机构
    "other",                  # 其他
    "total",                  # 总计
)

APPLICATIONS = {
    #                                     自然人 商业 科研 公益 法律 其他  总计
    "new":                               (5672, 174, 12, 23, 29, 207, 6117),  # 一、本年新收
    "carried_over":                      (65,   7,   0,  0,  0,  0,   72),    # 二、上年结转
    "granted":                           (2686, 102, 10, 7,  15, 168, 2988),  # (一) 予以公开
    "partially_granted":                 (301,  19,  1,  0,  3,  4,   328),   # (二) 部分公开
    "withheld.state_secret":             (35,   0,   0,  0,  2,  0,   37),    # (三) 1. 国家秘密
    "withheld.prohibited_by_law":        (9,    0,   0,  0,  0,  4,   13),    # (三) 2. 法律行政法规禁止公开
    "withheld.security_stability":       (2,    0,   0,  2,  0,  0,   4),     # (三) 3. 危及“三安全一稳定”
    "withheld.third_party_rights":       (288,  3,   0,  0,  0,  0,   291),   # (三) 4. 保护第三方合法权益
    "withheld.internal_affairs":         (31,   2,   0,  0,  0,  0,   33),    # (三) 5. 三类内部事务信息
    "withheld.process_info":             (49,   3,   0,  0,  1,  1,   54),    # (三) 6. 四类过程性信息
    "withheld.enforcement_file":         (33,   7,   1,  0,  0,  0,   41),    # (三) 7. 行政执法案卷
    "withheld.admin_query":              (30,   0,   0,  0,  0,  1,   31),    # (三) 8. 行政查询事项
    "unable.not_held":                   (1606, 32,  0,  9,  4,  4,   1655),  # (四) 1. 本机关不掌握
    "unable.needs_creation":             (29,   1,   0,  0,  0,  0,   30),    # (四) 2. 需要另行制作
    "unable.unclear":                    (23,   0,   0,  0,  0,  3,   26),    # (四) 3. 补正后仍不明确
    "not_processed.petition_complaint":  (126,  0,   0,  0,  0,  0,   126),   # (五) 1. 信访举报投诉类
    "not_processed.duplicate":           (161,  0,   0,  0,  0,  0,   161),   # (五) 2. 重复申请
    "not_processed.publication":         (2,    0,   0,  0,  0,  0,   2),     # (五) 3. 公开出版物
    "not_processed.excessive":           (35,   0,   0,  0,  0,  0,   35),    # (五) 4. 无正当理由大量反复
    "not_processed.confirm_reissue":     (14,   1,   0,  1,  0,  0,   16),    # (五) 5. 确认或重新出具
    "other_handling":                    (148,  7,   0,  3,  0,  22,  180),   # (六) 其他处理
    "results_total":                     (5608, 177, 12, 22, 25, 207, 6051),  # (七) 总计
    "carried_forward":                   (129,  4,   0,  1,  4,  0,   138),   # 四、结转下年度继续办理
}


# ---------------------------------------------------------------------------
# Table 四 — 行政复议、行政诉讼情况  (resource "review_litigation")
# key: (proceeding, outcome). The report prints one row of 15 numbers:
# 行政复议 | 未经复议直接起诉 | 复议后起诉, five outcomes each.
# ---------------------------------------------------------------------------

OUTCOMES = ("upheld", "corrected", "other", "pending", "total")  # 维持 纠正 其他 尚未审结 总计

REVIEW_LITIGATION = {
    #                           维持 纠正 其他 未结 总计
    "review":                  (109, 50,  33,  33,  225),  # 行政复议
    "litigation_direct":       (31,  12,  107, 4,   154),  # 行政诉讼 未经复议直接起诉
    "litigation_after_review": (30,  1,   14,  0,   45),   # 行政诉讼 复议后起诉
}


# ---------------------------------------------------------------------------
# Expected cells, flattened: {resource: {key: expected value as Decimal}}
# ---------------------------------------------------------------------------

EXPECTED_PROACTIVE = {
    (article, item, measure): Decimal(value)
    for (article, item), measures in PROACTIVE.items()
    for measure, value in measures.items()
}
EXPECTED_APPLICATIONS = {
    (row, applicant): Decimal(value)
    for row, values in APPLICATIONS.items()
    for applicant, value in zip(APPLICANTS, values, strict=True)
}
EXPECTED_REVIEW_LITIGATION = {
    (proceeding, outcome): Decimal(value)
    for proceeding, values in REVIEW_LITIGATION.items()
    for outcome, value in zip(OUTCOMES, values, strict=True)
}

KEY_FIELDS = {
    "proactive": ("article", "item", "measure"),
    "applications": ("row", "applicant"),
    "review_litigation": ("proceeding", "outcome"),
}
EXPECTED = {
    "proactive": EXPECTED_PROACTIVE,
    "applications": EXPECTED_APPLICATIONS,
    "review_litigation": EXPECTED_REVIEW_LITIGATION,
}
EXPECTED_COUNTS = {"proactive": 22, "applications": 161, "review_litigation": 15}


# ---------------------------------------------------------------------------
# Loading helpers
# ---------------------------------------------------------------------------

def _resource_paths(data_dir, name):
    """Paths (relative to data_dir) of the resource called ``name``."""
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    matches = [r for r in package.get("resources", []) if r.get("name") == name]
    assert len(matches) == 1, (
        f"datapackage.json must declare exactly one resource named {name!r}, "
        f"found {len(matches)}"
    )
    path = matches[0].get("path")
    assert path, f"resource {name!r} has no 'path' in datapackage.json"
    return [path] if isinstance(path, str) else list(path)


@functools.lru_cache(maxsize=None)
def load_resource(data_dir, name, report_id=REPORT_ID):
    """Load resource ``name`` into {cell key: [rows]} for one report.

    Rows are kept as lists so duplicates are visible to the tests.
    """
    key_fields = KEY_FIELDS[name]
    required = {"report_id", "year", "value", "status", *key_fields}
    cells = {}
    for rel in _resource_paths(data_dir, name):
        csv_path = Path(data_dir) / rel
        assert csv_path.is_file(), f"resource {name!r}: CSV {rel!r} not found in {data_dir}"
        with csv_path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = required - set(reader.fieldnames or ())
            assert not missing, f"resource {name!r} ({rel}): missing fields {sorted(missing)}"
            for row in reader:
                if row["report_id"] != report_id:
                    continue
                key = tuple(row[f] for f in key_fields)
                cells.setdefault(key, []).append(row)
    return cells


def _cell_id(key):
    return "-".join(key)


def _parse_value(resource, key, text):
    text = (text or "").strip()
    assert text, f"{resource}[{_cell_id(key)}]: value is empty"
    try:
        return Decimal(text)
    except InvalidOperation:
        pytest.fail(f"{resource}[{_cell_id(key)}]: value {text!r} is not a number")


def _single_row(data_dir, resource, key):
    rows = load_resource(Path(data_dir), resource).get(key, [])
    assert len(rows) == 1, (
        f"{resource}[{_cell_id(key)}]: expected exactly one row for report "
        f"{REPORT_ID}, found {len(rows)}"
    )
    return rows[0]


def _check_cell(data_dir, resource, key, expected):
    row = _single_row(data_dir, resource, key)
    cell = f"{resource}[{_cell_id(key)}]"
    assert row["year"].strip() == str(YEAR), f"{cell}: year {row['year']!r}, expected {YEAR}"
    assert row["status"] == STATUS, f"{cell}: status {row['status']!r}, expected {STATUS!r}"
    value = _parse_value(resource, key, row["value"])
    assert value == expected, f"{cell}: value {row['value']!r}, published {expected}"


def _params(expected):
    return [pytest.param(key, value, id=_cell_id(key)) for key, value in expected.items()]


# ---------------------------------------------------------------------------
# Sanity of the hand-typed literals themselves
# ---------------------------------------------------------------------------

def test_expected_cell_counts():
    for resource, expected in EXPECTED.items():
        assert len(expected) == EXPECTED_COUNTS[resource], resource
    assert set(PROACTIVE_UNITS) == {key[2] for key in EXPECTED_PROACTIVE}


# ---------------------------------------------------------------------------
# 1. every cell present exactly once, with the published value and status
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "expected"), _params(EXPECTED_PROACTIVE))
def test_proactive(built_data, key, expected):
    _check_cell(built_data, "proactive", key, expected)


@pytest.mark.parametrize(("key", "expected"), _params(EXPECTED_APPLICATIONS))
def test_applications(built_data, key, expected):
    _check_cell(built_data, "applications", key, expected)


@pytest.mark.parametrize(("key", "expected"), _params(EXPECTED_REVIEW_LITIGATION))
def test_review_litigation(built_data, key, expected):
    _check_cell(built_data, "review_litigation", key, expected)


# ---------------------------------------------------------------------------
# 2. no extra rows for this report
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("resource", list(EXPECTED))
def test_no_extra_rows(built_data, resource):
    cells = load_resource(Path(built_data), resource)
    extra = sorted(_cell_id(k) for k in set(cells) - set(EXPECTED[resource]))
    assert not extra, f"{resource}: unexpected cells for report {REPORT_ID}: {extra}"
    duplicated = sorted(_cell_id(k) for k, rows in cells.items() if len(rows) > 1)
    assert not duplicated, f"{resource}: duplicated cells for report {REPORT_ID}: {duplicated}"
    n_rows = sum(len(rows) for rows in cells.values())
    assert n_rows == EXPECTED_COUNTS[resource], (
        f"{resource}: {n_rows} rows for report {REPORT_ID}, "
        f"expected {EXPECTED_COUNTS[resource]}"
    )


# ---------------------------------------------------------------------------
# 3. units of the table 二 cells
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("key", [pytest.param(k, id=_cell_id(k)) for k in EXPECTED_PROACTIVE])
def test_proactive_unit(built_data, key):
    row = _single_row(built_data, "proactive", key)
    expected = PROACTIVE_UNITS[key[2]]
    assert "unit" in row, "resource 'proactive' has no 'unit' field"
    assert row["unit"] == expected, (
        f"proactive[{_cell_id(key)}]: unit {row['unit']!r}, expected {expected!r}"
    )


# ---------------------------------------------------------------------------
# 4. signed 本年增/减 cells keep their sign
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("key", [pytest.param(k, id=_cell_id(k)) for k in SIGNED_CELLS])
def test_signed_change(built_data, key):
    expected = SIGNED_CELLS[key]
    row = _single_row(built_data, "proactive", key)
    value = _parse_value("proactive", key, row["value"])
    assert value.is_signed() == expected.is_signed(), (
        f"proactive[{_cell_id(key)}]: value {row['value']!r} lost its sign, "
        f"published {expected:+}"
    )
    assert value == expected, (
        f"proactive[{_cell_id(key)}]: value {row['value']!r}, published {expected:+}"
    )
