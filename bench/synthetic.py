"""Synthetic reports for the build benchmark (bench/run.py), never part of the test suite.

``generate(n, out_dir, seed)`` writes ``n`` content files ``<out_dir>/<year>/<agency_id>.md`` in
the canonical form the project reads (front matter, sections 一 to 六, the three tables as
Markdown pipe tables under their official labels; see content/2021/pingtan.md). Reports k =
0…n-1 go to agency ``agency-{k // 6:05d}`` and year ``2019 + k % 6``: years 2019-2020 use the
2019 form, 2021-2024 the 2021 form. Every identity of nianbao/domain/forms.yaml holds, the cross-year
ones (X1-X3) included, and the prose states table 三's total (X5). The prose (about 3,000-8,000
characters) recombines the sentences of content/2020/heilongjiang.md, with the agency, the years
and the other figures changed. Same n and seed, same files.

    python bench/synthetic.py N OUT_DIR [--seed S]
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "content" / "2020" / "heilongjiang.md"
YEARS = tuple(range(2019, 2025))

CITIES = ("江宁市 临川市 云阳市 青河市 安平市 南溪市 东山市 白沙市 长宁市 永安市 兴华市 丰城市 "
          "清远市 海阳市 平川市 泰和市 新田市 石门市 龙泉市 宁远市 桂阳市 宜山市 凤台市 建德市").split()
DISTRICTS = "城东区 城西区 城南区 城北区 高新区 经开区 新港区 滨江区".split()
OFFICES = ("人民政府 人民政府办公室 发展和改革委员会 教育局 公安局 民政局 司法局 财政局 "
           "人力资源和社会保障局 自然资源局 生态环境局 住房和城乡建设局 交通运输局 农业农村局 "
           "卫生健康委员会 市场监督管理局").split()

SECTIONS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结")
PROCEEDINGS = ("行政复议", "行政诉讼·未经复议直接起诉", "行政诉讼·复议后起诉")

# Table 三's results (A2 parts) with a typical share: (group header or "", printed label, weight).
RESULTS_HEAD = [("三、本年度办理结果", "（一）予以公开", 40), ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 8)]
WITHHELD = [("（三）不予公开", "1.属于国家秘密", 0.5), ("", "2.其他法律行政法规禁止公开", 1),
            ("", "3.危及“三安全一稳定”", 0.5), ("", "4.保护第三方合法权益", 3),
            ("", "5.属于三类内部事务信息", 1), ("", "6.属于四类过程性信息", 2),
            ("", "7.属于行政执法案卷", 1), ("", "8.属于行政查询事项", 1),
            ("（四）无法提供", "1.本机关不掌握相关政府信息", 20), ("", "2.没有现成信息需要另行制作", 3),
            ("", "3.补正后申请内容仍不明确", 3),
            ("（五）不予处理", "1.信访举报投诉类申请", 2), ("", "2.重复申请", 3),
            ("", "3.要求提供公开出版物", 0.5), ("", "4.无正当理由大量反复申请", 1),
            ("", "5.要求行政机关确认或重新出具已获取信息", 1)]
OTHER_2019 = [("", "（六）其他处理", 5)]
OTHER_2021 = [("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 3),
              ("", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 0.5),
              ("", "3.其他", 1.5)]
# More sentences in the style of these reports (the figures are replaced per report).
EXTRA = """\
本机关高度重视政府信息公开工作，成立了由主要负责同志任组长的政务公开工作领导小组，办公室设在办公室，配备专职工作人员 3 名、兼职工作人员 12 名。
全年召开政务公开工作专题会议 4 次，研究部署年度重点任务 18 项，将政务公开工作纳入年度绩效考核，分值占比 5%。
通过门户网站主动公开政府信息 2356 条，其中机构职能类 45 条、政策文件类 312 条、规划计划类 27 条、财政资金类 96 条、人事信息类 58 条。
通过政务微博发布信息 1204 条，政务微信公众号发布信息 986 条，政务新媒体总关注人数达到 35 万人。
全年召开新闻发布会 16 场，主要负责同志出席发布会 5 次，围绕群众关心的热点问题进行权威发布和解读。
对本机关制发的规范性文件逐件开展政策解读，发布解读材料 64 篇，其中图解 21 篇、视频解读 8 个、专家解读 6 篇。
坚持“公开为常态、不公开为例外”，建立健全公开属性源头认定机制，公文在拟稿环节即明确公开属性。
全年共审查拟公开信息 1530 条，未发现泄露国家秘密、商业秘密和个人隐私的情况。
完善政策咨询答复机制，通过政务服务热线、网上留言等渠道答复群众咨询 3412 件，答复率达到 100%。
持续优化政府信息公开指南和公开目录，及时更新机构设置、办公地址、办公时间、联系电话等信息。
按照“谁公开、谁审查、谁负责”的原则，严格执行信息发布前保密审查和内容审核制度，确保公开信息准确、权威、规范。
推进决策公开，对涉及群众切身利益的重要改革方案、重大政策措施通过网站公开征求意见 23 次，收到意见建议 186 条，采纳 47 条。
邀请人大代表、政协委员、专家学者和群众代表列席本机关常务会议 9 人次，增强决策透明度。
推进执行和结果公开，对重点工作任务落实情况定期进行公开，全年发布督查通报 12 期。
深化财政预决算公开，部门预算、部门决算和“三公”经费预决算按规定时限全部公开，公开率达到 100%。
做好建议提案办理结果公开，全年共办理人大代表建议 56 件、政协委员提案 73 件，办理复文全部按规定公开。
加强政务公开专区建设，在政务服务大厅设置政府信息公开查阅点 3 个，配备自助查询终端 6 台，方便群众现场查阅。
组织开展政务公开业务培训 5 期，培训工作人员 420 人次，进一步提高业务能力和依法公开水平。
开展政府网站和政务新媒体季度检查，发现并整改错别字、链接失效、内容更新不及时等问题 37 个。
依法规范政府信息公开申请的受理、审查、办理和答复工作，严格按照法定时限答复，全年未发生超期答复情况。
建立健全依申请公开转主动公开机制，对申请较为集中、社会关注度较高的信息及时转为主动公开。
认真落实行政复议决定和人民法院判决，对被纠错的案件逐件剖析原因，举一反三完善工作机制。
加大政务公开监督考核力度，将政府信息公开工作纳入依法行政考核内容，全年开展专项督查 2 次。
完善政府信息公开保密审查制度，明确审查程序和责任，对拟公开的政府信息逐条审查，严防失泄密问题发生。
持续做好政府公报工作，全年编印政府公报 12 期，发行 2400 份，同步推出电子版，实现公报历史数据全部上网。
本年度政府信息公开工作未收取任何费用。
聚焦优化营商环境，集中公开涉企优惠政策 126 项，编制政策汇编 2 册，开展政策宣讲进企业活动 15 场。
围绕乡村振兴、就业创业、社会保障等重点领域，及时公开政策措施、实施进展和工作成效。
加强突发事件信息发布，第一时间发布权威信息，回应社会关切，全年发布预警信息 85 条。
主动回应社会关切，对涉及本机关的舆情信息及时核实处置，全年回应社会关切 29 次。
部分工作人员对《条例》理解不够深入，公开意识有待进一步提高，政策解读的形式还不够丰富。
个别栏目信息更新不够及时，主动公开的深度和广度还需进一步拓展，基层政务公开工作发展还不平衡。
依申请公开答复的规范性还需加强，答复文书的说理性和针对性有待进一步提升。
下一步，将进一步加强业务培训，提高工作人员的法治意识和业务水平，推动政务公开工作提质增效。
进一步完善公开平台功能，优化栏目设置，提升信息检索和互动交流的便捷性，更好满足公众获取信息的需求。
进一步加强政策解读和回应关切，丰富解读形式，增强解读的针对性和可读性，提升政策知晓度。
进一步健全工作机制，强化监督考核，推动政务公开工作制度化、规范化、标准化。
本年度未发生因政府信息公开工作被责令改正或追究责任的情况。
根据《政府信息公开信息处理费管理办法》，本年度本机关未向申请人收取信息处理费。
全年共办理人大代表建议和政协委员提案 129 件，办结率 100%，代表委员满意率 98%。
本年度无其他需要报告的事项。
"""
# Natural persons file most applications; the shares of the other columns.
APPLICANT_SHARE = (1.0, 0.08, 0.01, 0.02, 0.03, 0.04)


def _sentences(path: Path = SOURCE) -> tuple[list[str], list[str]]:
    """(sub-headings, sentences) of the prose of a full-text report; sentences that state
    application counts are left out (X5 would compare them with table 三)."""
    body = path.read_text("utf-8").split("---", 2)[2]
    heads, text, section = [], [], ""
    for line in body.splitlines():
        line = line.strip().replace("**", "")
        if re.match(r"^[一二三四五六]、", line):
            section = line[0]
        elif section in ("一", "五", "六") and line:
            if re.match(r"^（[一二三四五六七八九十]+）", line) and len(line) <= 40:
                heads.append(line)
            else:
                text.append(line)
    sentences = [s + "。" for s in "".join(text).split("。") if len(s) >= 12] + EXTRA.splitlines()
    return heads, [s for s in sentences if "依申请公开" not in s and "政府信息公开申请" not in s]


class Writer:
    def __init__(self, seed: int):
        self.seed = seed
        self.heads, self.bank = _sentences()
        self.state: dict[str, dict] = {}  # agency_id → figures carried into its next year

    # -- prose -----------------------------------------------------------------------------
    def _sentence(self, rng: random.Random, s: str, agency: str, year: int) -> str:
        s = s.replace("黑龙江省人民政府", agency).replace("黑龙江省", agency).replace("黑龙江", agency)

        def number(m: re.Match) -> str:
            n = m.group(0)
            if n in ("2019", "2020", "2021"):
                return str(year + int(n) - 2020)
            return str(rng.randint(10 ** (len(n) - 1) if len(n) > 1 else 1, 10 ** len(n) - 1))

        return re.sub(r"(?<![A-Za-z\d])\d+", number, s)

    def _paragraphs(self, rng: random.Random, chars: int, agency: str, year: int) -> list[str]:
        out, para, size = [], "", 0
        order = rng.sample(self.bank, len(self.bank))
        i = 0
        while size < chars:
            s = self._sentence(rng, order[i % len(order)], agency, year)
            i += 1
            para += s
            size += len(s)
            if len(para) > rng.randint(150, 450):
                out.append(para)
                para = ""
        return out + ([para] if para else [])

    def prose(self, rng: random.Random, agency: str, year: int, stated: str) -> dict[str, str]:
        total = rng.randint(3000, 8000)
        first = self._paragraphs(rng, int(total * 0.65), agency, year)
        count = min(len(self.heads), max(1, len(first) // 3))
        heads = sorted(rng.sample(range(len(self.heads)), count))
        s1 = []
        for k, head in enumerate(heads):  # sub-headings （一）… in order, each over its paragraphs
            s1 += [f"（{'一二三四五六七八九十'[k]}）{self.heads[head].split('）', 1)[1]}",
                   *first[k * len(first) // count:(k + 1) * len(first) // count]]
        s1.insert(2, stated)
        return {"一": "\n\n".join(s1),
                "五": "\n\n".join(self._paragraphs(rng, int(total * 0.2), agency, year)),
                "六": "\n\n".join(self._paragraphs(rng, int(total * 0.15), agency, year))}

    # -- tables ----------------------------------------------------------------------------
    @staticmethod
    def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
        w = [x * rng.uniform(0.3, 1.7) for x in weights]
        s = sum(w)
        out = [int(total * x / s) for x in w]
        for i in rng.choices(range(len(w)), weights=w, k=total - sum(out)):
            out[i] += 1
        return out

    def applications(self, rng: random.Random, st: dict, form: str) -> tuple[list[str], int]:
        """Table 三 as Markdown lines, and the total of new applications (stated in the prose)."""
        results = RESULTS_HEAD + WITHHELD + (OTHER_2019 if form == "2019" else OTHER_2021)
        scale = st["scale"] * rng.uniform(0.7, 1.3)
        new = [int(scale * share * rng.uniform(0.5, 1.5)) for share in APPLICANT_SHARE]
        carried = st.get("forward") or [int(n * rng.uniform(0, 0.1)) for n in new]
        forward = [int((n + c) * rng.uniform(0, 0.08)) for n, c in zip(new, carried)]
        columns = [self._split(rng, n + c - f, [r[2] for r in results])
                   for n, c, f in zip(new, carried, forward)]
        st["forward"] = forward

        def row(label: str, values: list[int]) -> str:
            return f"| {label} | " + " | ".join(map(str, values)) + f" | {sum(values)} |"

        out = ["| 申请人情况 | " + " | ".join(APPLICANTS) + " | 总计 |",
               "| --- |" + " ---: |" * 7,
               row("一、本年新收政府信息公开申请数量", new), row("二、上年结转政府信息公开申请数量", carried)]
        for i, (group, label, _) in enumerate(results):
            if group:
                out.append(f"| {group} |")
            out.append(row(label, [col[i] for col in columns]))
        out += [row("（七）总计", [sum(col) for col in columns]), row("四、结转下年度继续办理", forward)]
        return out, sum(new)

    @staticmethod
    def review(rng: random.Random, st: dict) -> list[str]:
        out = ["| 程序 | " + " | ".join(OUTCOMES) + " | 总计 |", "| --- |" + " ---: |" * 5]
        for label in PROCEEDINGS:
            values = [int(rng.expovariate(1 / max(st["scale"] / 20, 0.5))) for _ in OUTCOMES]
            out.append(f"| {label} | " + " | ".join(map(str, values)) + f" | {sum(values)} |")
        return out

    @staticmethod
    def _table(title: str, head: list[str], rows: list[tuple[str, list]]) -> list[str]:
        out = [title, "", f"| 信息内容 | " + " | ".join(head) + " |", "| --- |" + " ---: |" * len(head)]
        out += [f"| {label} | " + " | ".join(map(str, v)) + " |" for label, v in rows]
        return out + [""]

    def active(self, rng: random.Random, st: dict, form: str) -> list[str]:
        s = st["scale"]
        if form == "2019":
            items = st.setdefault("items", {k: rng.randint(5, 2000) for k in
                                            ("行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费")})
            change = {k: rng.randint(-min(v, 50), 50) for k, v in items.items()}

            def carry(label: str, decisions: bool) -> tuple[str, list]:
                d = [rng.randint(0, int(s * 300))] if decisions else []
                return label, [items[label], f"{change[label]:+d}" if change[label] else 0, *d]

            made = [rng.randint(0, 5), rng.randint(0, 80)]
            out = self._table("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
                              [("规章", [made[0], made[0], made[0] + rng.randint(0, 100)]),
                               ("规范性文件", [made[1], made[1], made[1] + rng.randint(0, 2000)])])
            head = ["上一年项目数量", "本年增/减", "处理决定数量"]
            out += self._table("第二十条第（五）项", head,
                               [carry("行政许可", True), carry("其他对外管理服务事项", True)])
            out += self._table("第二十条第（六）项", head, [carry("行政处罚", True), carry("行政强制", True)])
            out += self._table("第二十条第（八）项", head[:2], [carry("行政事业性收费", False)])
            out += self._table("第二十条第（九）项", ["采购项目数量", "采购总金额"],
                               [("政府集中采购", [rng.randint(0, 3000), f"{rng.uniform(1, 5e5):.2f} 万元"])])
            st["items"] = {k: v + change[k] for k, v in items.items()}
            return out
        in_force = st.setdefault("in_force", [rng.randint(0, 100), rng.randint(10, 3000)])
        rows = []
        for k, label in enumerate(("规章", "行政规范性文件")):
            issued, repealed = rng.randint(0, 10 * (k + 1)), rng.randint(0, min(in_force[k], 5))
            in_force[k] += issued - repealed
            rows.append((label, [issued, repealed, in_force[k]]))
        out = self._table("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], rows)
        out += self._table("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", [rng.randint(0, int(s * 300))])])
        out += self._table("第二十条第（六）项", ["本年处理决定数量"],
                           [("行政处罚", [rng.randint(0, int(s * 100))]), ("行政强制", [rng.randint(0, int(s * 5))])])
        return out + self._table("第二十条第（八）项", ["本年收费金额（单位：万元）"],
                                 [("行政事业性收费", [f"{rng.uniform(0, 5e4):.2f}"])])

    # -- a report --------------------------------------------------------------------------
    def report(self, k: int) -> tuple[str, str]:
        """(relative path, text) of report k."""
        a, year = k // len(YEARS), YEARS[k % len(YEARS)]
        agency_id = f"agency-{a:05d}"
        tier, rest = divmod(a, len(CITIES) * len(OFFICES))
        city, office = CITIES[rest % len(CITIES)], OFFICES[rest // len(CITIES)]
        agency = city + (DISTRICTS[(tier - 1) % len(DISTRICTS)] if tier else "") + office
        agency += f"（{tier // len(DISTRICTS) + 1}）" if tier > len(DISTRICTS) else ""
        rng = random.Random(f"{self.seed}:{k}")
        st = self.state.setdefault(agency_id, {"scale": random.Random(f"{self.seed}:{a}").lognormvariate(4.5, 1.0)})
        form = "2019" if year <= 2020 else "2021"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        active = self.active(rng, st, form)
        applications, new = self.applications(rng, st, form)
        stated = (f"本年度共收到政府信息公开申请{new}件，均按照《条例》规定的时限和程序依法办理答复，"
                  f"答复文书内容格式进一步规范。")
        prose = self.prose(rng, agency, year, stated)
        lines = ["---", f"title: {title}", f"agency: {agency}", f"agency_id: {agency_id}", f"year: {year}",
                 f"source_url: https://www.example.gov.cn/{agency_id}/{year}/nianbao.html",
                 f"published: '{year + 1}-01-{rng.randint(10, 31):02d}'", "---", "", title, "",
                 "按照《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现发布"
                 f"《{title}》。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。", ""]
        for heading in SECTIONS:
            lines += [heading, ""]
            n = heading[0]
            if n in prose:
                lines += [prose[n], ""]
            elif n == "二":
                lines += active
            elif n == "三":
                lines += applications + [""]
            else:
                lines += self.review(rng, st) + [""]
        return f"{year}/{agency_id}.md", "\n".join(lines).rstrip("\n") + "\n"


def generate(n: int, out_dir: Path, seed: int = 1) -> list[Path]:
    """Write n reports below out_dir (created; existing files of the same names replaced)."""
    writer = Writer(seed)
    out_dir = Path(out_dir)
    paths = []
    for k in range(n):
        rel, text = writer.report(k)
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"wrote {len(generate(args.n, args.out_dir, args.seed))} reports to {args.out_dir}")
