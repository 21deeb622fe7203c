"""The one definition of the national templates (forms.yaml)."""

from nianbao.domain.forms import load_forms, squash


def test_cell_counts_per_template():
    forms = load_forms()
    counts = {v: {t: len(forms.table(t).cell_keys(v)) for t in forms.tables} for v in ("2019", "2021")}
    assert counts["2019"] == {"active": 22, "applications": 161, "review_litigation": 15}
    assert counts["2021"] == {"active": 10, "applications": 175, "review_litigation": 15}


def test_codes_are_unique_and_bilingual():
    rows = load_forms().codes()
    keys = [(r["table"], r["dimension"], r["code"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["label_zh"] and r["label_en"] for r in rows)


def test_identities_name_existing_codes():
    forms = load_forms()
    for ident in forms.identities:
        table = forms.table(ident.table)
        rows = {r.code for r in table.rows}
        cols = {c.code for c in table.columns}
        if ident.kind == "columns":
            names = rows
        elif ident.kind == "rows":
            names = cols
            assert set(ident.rows) <= rows, ident.id
        else:
            continue
        for name in ident.total + ident.parts:
            assert name in names or (name.endswith("*") and any(
                n.startswith(name[:-1]) for n in names)), (ident.id, name)


def test_every_row_label_matches_itself_and_no_other_better():
    """A printed label must anchor on its own row, never on another."""
    forms = load_forms()
    table = forms.table("applications")
    for row in table.rows:
        for version in row.templates:
            label = squash(row.printed(version))
            best = max(table.rows, key=lambda r: r.matches(label))
            assert best.code == row.code, (row.code, best.code)


def test_squash_removes_all_whitespace_and_normalises():
    assert squash("总 计\u3000") == "总计"
    assert squash("（一）予以公开") == "(一)予以公开"
