"""Content files: front matter and encoding problems are located errors."""

from nianbao.reading.load import load_content


def codes(content):
    docs, diags = load_content(content)
    return docs, [(d.code, d.line) for d in diags]


def set_front(path, old, new):
    text = path.read_text("utf-8")
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_seed_loads(seed_content):
    docs, diags = load_content(seed_content)
    assert not diags
    assert docs[0].meta.report_id == "2020-heilongjiang"
    assert docs[0].body_line == 7


def test_missing_field(content_copy, seed_file):
    set_front(seed_file, "agency: 黑龙江省人民政府\n", "")
    assert codes(content_copy)[1] == [("front-matter-field", 1)]


def test_bad_yaml_is_located(content_copy, seed_file):
    set_front(seed_file, "agency_id: heilongjiang", "agency_id: [heilongjiang")
    docs, found = codes(content_copy)
    assert not docs and found[0][0] == "front-matter-yaml"


def test_year_disagrees_with_folder(content_copy, seed_file):
    set_front(seed_file, "year: 2020", "year: 2021")
    assert codes(content_copy)[1] == [("year-mismatch", 5)]


def test_unsafe_agency_id(content_copy, seed_file):
    set_front(seed_file, "agency_id: heilongjiang", "agency_id: ../evil")
    assert codes(content_copy)[1] == [("front-matter-agency-id", 4)]


def test_template_is_detected_not_declared(content_copy, seed_file):
    set_front(seed_file, "year: 2020\n", "year: 2020\ntemplate: 2019\n")
    assert codes(content_copy)[1] == [("front-matter-unknown", 6)]


def test_gb18030_is_named_not_read(content_copy, seed_file):
    seed_file.write_bytes(seed_file.read_text("utf-8").encode("gb18030"))
    docs, diags = load_content(content_copy)
    assert not docs and [(d.code, d.line, d.col) for d in diags] == [("encoding-gb18030", 2, 8)]
    assert "GB18030/GBK-encoded, not UTF-8" in diags[0].message
    assert "iconv -f GB18030 -t UTF-8" in diags[0].hint
    assert diags[0].source == "title: 黑龙江省2020年政府信息公开工作年度报告"  # shown decoded


def test_not_utf8(content_copy, seed_file):
    seed_file.write_bytes("---\ntitle: Société\n---\n".encode("latin-1"))
    docs, diags = load_content(content_copy)
    assert not docs and [(d.code, d.line, d.col) for d in diags] == [("not-utf8", 2, 12)]
    assert "byte 0xE9 is not UTF-8" in diags[0].message


def test_utf8_with_bom_and_crlf_is_read(content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    seed_file.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    docs, diags = load_content(content_copy)
    assert not diags and docs[0].body == load_content(content_copy)[0][0].body


def test_a_file_elsewhere_than_year_and_agency_id_is_read_with_a_warning(content_copy, seed_file):
    seed_file.rename(content_copy / "2020" / "hlj.md")
    docs, diags = load_content(content_copy)
    assert len(docs) == 1
    assert [(d.code, d.line, d.severity) for d in diags] == [("content-path", 4, "warning")]
    assert "belongs in 2020/heilongjiang.md" in diags[0].message


def test_duplicate_report(content_copy, seed_file):
    from nianbao.pipeline import read_reports

    (content_copy / "2020" / "copy.md").write_bytes(seed_file.read_bytes())
    found = read_reports(content_copy).errors
    assert [(d.code, d.line, d.path.endswith("heilongjiang.md")) for d in found] == [
        ("duplicate-report", 1, True)]
    assert "also defined in" in found[0].message and found[0].path != found[0].message


def test_no_front_matter(content_copy, seed_file):
    seed_file.write_text("黑龙江省\n", "utf-8")
    assert codes(content_copy)[1] == [("front-matter-missing", 1)]
