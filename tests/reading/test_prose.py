from nianbao.domain.forms import load_forms
from nianbao.reading.prose import paragraphs, split_sections, to_markdown


def lines(text):
    return list(enumerate(text.split("\n"), 1))


def test_two_lines_starting_with_si_only_one_heading():
    text = ("一、总体情况\n概述。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
            "四、结转下年度继续办理\t\t1\t2\n四、政府信息公开行政复议、行政诉讼情况\n"
            "五、存在的主要问题及改进情况\n六、其他需要报告的事项\n")
    sections = split_sections(lines(text), load_forms())
    assert [s.code for s in sections] == ["preamble", "s1_overview", "s2_active", "s3_applications",
                                          "s4_review_litigation", "s5_problems", "s6_other"]
    s3 = next(s for s in sections if s.code == "s3_applications")
    assert s3.lines == ((5, "四、结转下年度继续办理\t\t1\t2"),)
    assert next(s for s in sections if s.code == "s4_review_litigation").line == 6


def test_heading_variants_by_keyword():
    text = "三、行政机关收到和处理政府信息公开申请情况\n四、因政府信息公开工作被申请行政复议、提起行政诉讼情况\n五、存在的问题及改进情况"
    codes = [s.code for s in split_sections(lines(text), load_forms())]
    assert codes == ["preamble", "s3_applications", "s4_review_litigation", "s5_problems"]


def test_page_break_paragraphs_rejoined():
    text = "甲乙丙，答复合\n\n法性审核机制。\n\n（二）小标题\n\n新段落。"
    assert [p for _, p in paragraphs(lines(text))] == ["甲乙丙，答复合法性审核机制。", "（二）小标题", "新段落。"]


def test_subheadings_become_markdown_headings():
    md = to_markdown(lines("（一）积极做好主动公开，推动应公开尽公开\n\n正文。"))
    assert md == "### （一）积极做好主动公开，推动应公开尽公开\n\n正文。"
