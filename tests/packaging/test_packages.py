"""The data packages: Frictionless-valid, contract-shaped, and committed current."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from frictionless import validate as fl_validate

from conftest import ROOT

CONTRACT = {
    "reports": ["report_id", "year", "agency_id", "agency", "title", "template", "source_url",
                "published", "full_text"],
    "proactive": ["report_id", "year", "article", "item", "measure", "value", "unit", "status"],
    "applications": ["report_id", "year", "row", "applicant", "value", "status"],
    "review_litigation": ["report_id", "year", "proceeding", "outcome", "value", "status"],
    "checks": ["report_id", "check", "scope", "expected", "actual", "result", "acknowledged",
               "message"],
    "codes": ["table", "dimension", "code", "label_zh", "label_en", "templates"],
}


def descriptors(root: Path):
    return sorted(root.rglob("datapackage.json"))


def test_every_package_is_frictionless_valid(built_data):
    paths = descriptors(built_data)
    reports = list(csv.DictReader(open(built_data / "data" / "reports.csv", encoding="utf-8")))
    assert len(paths) == 1 + len(reports)
    for path in paths:
        report = fl_validate(str(path))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_combined_package_follows_the_contract(built_data):
    package = json.loads((built_data / "datapackage.json").read_text("utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == list(CONTRACT)
    for name, fields in CONTRACT.items():
        schema = resources[name]["schema"]
        assert [f["name"] for f in schema["fields"]] == fields
        assert all(" / " in f["title"] for f in schema["fields"])  # bilingual
        if name not in ("reports", "codes"):
            assert schema["foreignKeys"][0]["reference"]["resource"] == "reports"
        assert schema["primaryKey"]
    apps = {f["name"]: f for f in resources["applications"]["schema"]["fields"]}
    assert apps["value"]["constraints"]["minimum"] == 0
    assert "withheld.state_secret" in apps["row"]["constraints"]["enum"]


def test_csv_encoding_and_line_ends(built_data):
    for path in built_data.rglob("*.csv"):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data, path
        data.decode("utf-8")


def test_reports_resource(built_data):
    with open(built_data / "data" / "reports.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["agency_id"] == "heilongjiang"]
    assert rows == [{"report_id": "2020-heilongjiang", "year": "2020", "agency_id": "heilongjiang",
                     "agency": "黑龙江省人民政府", "title": "黑龙江省2020年政府信息公开工作年度报告",
                     "template": "2019", "source_url": "", "published": "", "full_text": "true"}]


WHO = ["2020-heilongjiang", "2020", "heilongjiang", "黑龙江省人民政府"]


def test_per_report_tables_are_printed_shape(built_data):
    """Rows and columns as printed, after whose table it is; each value column's status after
    the value columns."""
    base = built_data / "2020" / "2020-heilongjiang"
    with open(base / "2020-heilongjiang-applications.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    columns = ["natural_person", "commercial_enterprise", "research_institution",
               "public_interest_org", "legal_service_org", "other", "total"]
    assert rows[0] == ["report_id", "year", "agency_id", "agency", "row", "label_zh", *columns,
                       *(f"{c}_status" for c in columns)]
    assert rows[1] == [*WHO, "new", "一、本年新收政府信息公开申请数量", "5672", "174", "12", "23",
                       "29", "207", "6117", *["reported"] * 7]
    assert len(rows) == 1 + 23
    with open(base / "2020-heilongjiang-review_litigation.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[1] == [*WHO, "review", "行政复议", "109", "50", "33", "33", "225", *["reported"] * 5]
    with open(base / "2020-heilongjiang-checks.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:5] == ["report_id", "year", "agency_id", "agency", "check"]
    assert all(r[:4] == WHO for r in rows[1:])


def test_per_report_status_says_why_a_cell_is_empty(built_data):
    """上海 2019 printed blank cells and dashes: each empty value has its status, in the CSV and
    in the Table Schema (an enum); a measure table 二's article does not have has neither."""
    base = built_data / "2019" / "2019-shanghai-office"
    with open(base / "2019-shanghai-office-applications.csv", encoding="utf-8") as f:
        rows = {r["row"]: r for r in csv.DictReader(f)}
    new = rows["new"]
    assert (new["research_institution"], new["research_institution_status"]) == ("", "blank")
    assert (new["natural_person"], new["natural_person_status"]) == ("821", "reported")
    with open(built_data / "data" / "applications.csv", encoding="utf-8") as f:
        combined = {(r["row"], r["applicant"]): r["status"] for r in csv.DictReader(f)
                    if r["report_id"] == "2019-shanghai-office"}
    assert {(k, c): rows[k][f"{c}_status"] for k, c in combined} == combined  # the same statuses
    for r in rows.values():  # an empty value always has a status other than reported
        for c in ("natural_person", "total"):
            assert (r[c] == "") == (r[f"{c}_status"] != "reported"), (r["row"], c)
    with open(base / "2019-shanghai-office-proactive.csv", encoding="utf-8") as f:
        regulations = next(r for r in csv.DictReader(f) if r["item"] == "regulations")
    assert regulations["newly_made_status"] == "reported"
    assert regulations["decisions"] == regulations["decisions_status"] == ""  # not art20_1's
    descriptor = json.loads((base / "datapackage.json").read_text("utf-8"))
    apps = next(r for r in descriptor["resources"] if r["name"] == "applications")
    assert apps["path"] == "2019-shanghai-office-applications.csv"
    status = {f["name"]: f for f in apps["schema"]["fields"]}["total_status"]
    assert status["constraints"]["enum"] == ["reported", "blank", "dash", "absent", "unreadable"]
    assert status["title"].startswith("总计·公布情况 / ")


def committed_files():
    root = ROOT / "datapackages"
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def test_a_status_outside_the_codes_is_invalid(built_data, tmp_path):
    """The status columns are an enum in the Table Schema: Frictionless rejects another value."""
    import shutil
    base = tmp_path / "2019-shanghai-office"
    shutil.copytree(built_data / "2019" / "2019-shanghai-office", base)
    path = base / "2019-shanghai-office-review_litigation.csv"
    text = path.read_text("utf-8")
    path.write_text(text.replace(",blank,", ",empty,", 1), "utf-8")
    report = fl_validate(str(base / "datapackage.json"))
    assert not report.valid
    assert report.flatten(["fieldName", "type"]) == [["corrected_status", "constraint-error"]]


def test_committed_datapackages_are_current(built_data):
    """The build regenerates datapackages/: run `python build.py` and commit when this fails."""
    built = {p.relative_to(built_data).as_posix(): p for p in built_data.rglob("*") if p.is_file()}
    committed = committed_files()
    assert sorted(committed) == sorted(built), "stale datapackages/: run python build.py"
    for rel, path in built.items():
        assert committed[rel].read_bytes() == path.read_bytes(), f"stale datapackages/{rel}"


# Formula injection (nianbao/safe.py): text cells that a spreadsheet would run get a leading ';
# numbers, including negative ones, stay numbers.

@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-",
                                  "-2+3+cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")'])
def test_neutralise_prefixes_a_quote_to_formula_text(text):
    from nianbao.packaging.formula_guard import neutralise
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["", "a=b", " =1", "'=1", "黑龙江省", "-3", "+2", "-0.5", "1e3",
                                   -3, 0, Decimal("-0.5"), None, True])
def test_neutralise_leaves_numbers_and_plain_text(value):
    from nianbao.packaging.formula_guard import neutralise
    assert neutralise(value) is value


def test_csv_neutralises_text_cells_only():
    from nianbao.packaging.packages import to_csv
    data = to_csv(["title", "value", "money", "flag", "empty"],
                  [{"title": "=HYPERLINK(\"http://x\",\"y\")", "value": -3, "money": Decimal("-0.50"),
                    "flag": False, "empty": ""},
                   {"title": "@SUM(1)", "value": 0, "money": None, "flag": True, "empty": None},
                   {"title": "\tx", "value": -38, "money": Decimal("3618261.46")}])
    assert list(csv.reader(io.StringIO(data.decode("utf-8")))) == [
        ["title", "value", "money", "flag", "empty"],
        ["'=HYPERLINK(\"http://x\",\"y\")", "-3", "-0.50", "false", ""],
        ["'@SUM(1)", "0", "", "true", ""],
        ["'\tx", "-38", "3618261.46", "", ""],
    ]


TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def test_published_csv_text_fields_are_never_formulas(built_data):
    """Every string field of every package (by its Table Schema) is neutralised; every number
    field holds a number (the negative changes of table 二 stay -38, -909 …)."""
    negatives = 0
    for descriptor in descriptors(built_data):
        package = json.loads(descriptor.read_text("utf-8"))
        for resource in package["resources"]:
            types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
            with open(descriptor.parent / resource["path"], encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    for name, value in row.items():
                        if types[name] in ("number", "integer") and value:
                            negatives += Decimal(value) < 0
                        elif types[name] == "string":
                            assert not value.startswith(TRIGGERS), (descriptor, name, value)
    assert negatives >= 10


def test_the_ready_validation_child_is_ended_when_a_build_validates_elsewhere(tmp_path):
    """A cold build's many slices are validated across the cores, not by the child made ready
    for an edit: it is ended then, its memory back before the build goes on."""
    from nianbao.incremental.memo import Emitter, Memo
    from nianbao.incremental.validation_schedule import FEW_SLICES, Validators, validate_beside
    from nianbao.incremental.combined_validation import Slices

    class Ready:  # the child's side the build sees (nianbao.incremental.background.Ready)
        ended = False

        def call(self, func, *args):
            raise AssertionError("a cold build's slices were sent to the edit's child")

        def close(self):
            self.ended = True

    paths = [f"slice-{n}/datapackage.json" for n in range(FEW_SLICES + 1)]
    ready = Ready()
    verified, _ = validate_beside(Validators(lambda ps: [[] for _ in ps], lambda ps: [], ready), tmp_path,
                          Emitter(Memo(None), None), [], Slices(paths, lambda found: []))
    assert ready.ended and verified() == []
