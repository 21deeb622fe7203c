"""Per-report packages are validated by Frictionless in batches (nianbao/verify.py): the same
verdict, package by package, as validating each on its own."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from nianbao.packaging.batch_validation import validate_batch, validate_one


def packages(tmp_path, built_data) -> list[str]:
    root = tmp_path / "data"
    shutil.copytree(built_data, root)
    return sorted(str(p) for p in root.glob("*/*/datapackage.json"))


def test_valid_packages_pass_in_one_batch(tmp_path, built_data):
    found = packages(tmp_path, built_data)
    assert len(found) == 7
    assert validate_batch(found) == [[] for _ in found] == [validate_one(p) for p in found]


def test_each_kind_of_problem_is_the_one_package_s_and_as_frictionless_reports_it(tmp_path, built_data):
    found = packages(tmp_path, built_data)
    folders = [tmp_path / "data" / p.split("/data/", 1)[1].rsplit("/", 1)[0] for p in found]

    def edit(folder, name, old, new, count=1):
        path = folder / name
        text = path.read_text("utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, count), "utf-8")

    def named(folder, name):  # the file of resource ``name`` (``<report_id>-<name>.csv``)
        return f"{folder.name}-{name}.csv"

    edit(folders[0], named(folders[0], "checks"), ",pass,", ",bogus,")  # a value outside its enum
    apps = folders[1] / named(folders[1], "applications")
    lines = apps.read_text("utf-8").splitlines(keepends=True)
    apps.write_text("".join(lines + [lines[1]]), "utf-8")  # a key twice
    edit(folders[2], named(folders[2], "review_litigation"), "proceeding", "procedure")  # a header
    descriptor = json.loads((folders[3] / "datapackage.json").read_text("utf-8"))
    descriptor["name"] = "Not A Name"
    (folders[3] / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")

    batch = validate_batch(found)
    assert [bool(p) for p in batch] == [True, True, True, True, False, False, False]
    for i in range(3):
        assert batch[i] == validate_one(found[i])
    assert "does not match" in batch[3][0]


def test_the_same_key_in_two_packages_is_no_problem(tmp_path, built_data):
    """Rows of different reports share keys (the same row codes): only a key repeated within
    one file is an error, as when each package is validated alone."""
    found = packages(tmp_path, built_data)
    rows = {}
    for p in found:
        folder = Path(p).parent
        with open(folder / f"{folder.name}-applications.csv", encoding="utf-8") as f:
            rows[p] = {r["row"] for r in csv.DictReader(f)}
    assert len(set.intersection(*rows.values())) > 10
    assert validate_batch(found) == [[] for _ in found]


def test_schemas_remembered_give_the_verdicts_of_frictionless_alone(tmp_path, built_data):
    """A schema's metadata is validated once per process (verify._schemas_once): packages that
    share a schema, valid or broken, are judged exactly as a plain Frictionless judges each."""
    found = packages(tmp_path, built_data)

    def rewrite(path, change):
        descriptor = json.loads(open(path, encoding="utf-8").read())
        change(descriptor["resources"][1]["schema"])
        open(path, "w", encoding="utf-8").write(json.dumps(descriptor, ensure_ascii=False))

    for p in found[:2]:  # the same broken schema in two packages
        rewrite(p, lambda s: s.update(primaryKey=["no_such_field"]))
    rewrite(found[2], lambda s: s["fields"][0].update(type="numbr"))
    first, again = validate_batch(found), validate_batch(found)
    assert first == again == [validate_one(p) for p in found]
    plain = subprocess.run(
        [sys.executable, "-c", "import json, sys\nfrom frictionless import validate\n"
         "print(json.dumps([[] if (r := validate(p)).valid else [str(r.flatten(['type', 'note'])[:5])]"
         " for p in sys.argv[1:]]))", *found],
        capture_output=True, text=True, check=True)
    assert first == json.loads(plain.stdout)
    assert [bool(p) for p in first] == [True, True, True, False, False, False, False]
    assert "no_such_field" in first[0][0] and "numbr" in first[2][0]
