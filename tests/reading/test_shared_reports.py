"""Six real reports from ../shared/reports, imported into the data package, carry EXACTLY the
published figures.

Reports (report_id = <year>-<agency_id>):

* 2019-pingtan, 2020-pingtan (2019 form), 2021-pingtan, 2022-pingtan (2021 form): web text of
  平潭综合实验区 where table cells are glued together with no separator.
* 2019-shanghai-office (2019 form): HTML tables of 上海市人民政府办公厅; zeros in tables 三/四 are
  published as blank cells (&nbsp;) and the 总计 column is blank in the result rows.
* 2023-hongze (hybrid): 淮安市洪泽区 PDF, 2021-form table 二 but a one-row （六）其他处理 in table 三,
  and table 四 totals printed as 0 while their parts are not.

Every expected value below was typed BY HAND from the documents. Nothing is computed from the
documents here and the project's parser is not used, so the test checks the whole import.

Glued digits were split by the project's rule: every way to cut the row's digit tokens (white
space present in the text is a forced boundary) into the row's number of cells, each a number
without leading zeros, keeping only readings that satisfy the row's identity (table 三: 总计 = sum
of the six applicant columns; table 四: each group's 总计 = sum of its four outcomes; table 二: no
identity). Exactly one reading -> those values, ``reported``; none or several -> every cell of the
row (of the whole table for 四) is ``unreadable`` with an empty value. The ordinal of the next
label can glue onto a row (``…40000042.其他…`` = row ``4000004``, then ``2.其他…``).

Cell notation in the tables below: an int or a Decimal-compatible string is a ``reported`` value
(0 included); ``U`` = ``unreadable``, ``B`` = ``blank``, ``D`` = ``dash``; those carry no value.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

SHARED_REPORTS = Path(__file__).resolve().parents[3] / "shared" / "reports"
if not SHARED_REPORTS.is_dir():
    pytest.skip(f"shared reports not available ({SHARED_REPORTS})", allow_module_level=True)

U = "unreadable"
B = "blank"
D = "dash"
NON_REPORTED = (U, B, D)

APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution",
              "public_interest_org", "legal_service_org", "other", "total")
PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")

# Measures of table 二, in printed order, per form.
MEASURES_2019 = {
    "art20_1": ("newly_made", "newly_published", "total_published"),
    "art20_5": ("prior_year_items", "change", "decisions"),
    "art20_6": ("prior_year_items", "change", "decisions"),
    "art20_8": ("prior_year_items", "change"),
    "art20_9": ("items", "total_amount"),
}
MEASURES_2021 = {
    "art20_1": ("issued", "repealed", "in_force"),
    "art20_5": ("decisions",),
    "art20_6": ("decisions",),
    "art20_8": ("fee_amount",),
}

REPORTS = {
    # report_id: (template, full_text)
    "2019-pingtan": ("2019", "false"),
    "2020-pingtan": ("2019", "false"),
    "2021-pingtan": ("2021", "false"),
    "2022-pingtan": ("2021", "false"),
    "2019-shanghai-office": ("2019", "false"),
    "2023-hongze": ("hybrid", "false"),
}


# ===========================================================================
# 2019-pingtan  (pingtan-2019.txt, 2019 form)
# ===========================================================================

PINGTAN_2019_PROACTIVE = {
    # 规章000 -> the only split of "000" into 3 numbers
    ("art20_1", "regulations"): (0, 0, 0),
    # 规范性文件898989: 10 splits into 3 numbers, no identity -> unreadable
    ("art20_1", "normative_docs"): (U, U, U),
    # 行政许可3960181: 11 splits -> unreadable
    ("art20_5", "licensing"): (U, U, U),
    # 其他对外管理服务事项100153: 4 splits (10|0|153, 100|1|53, 100|15|3, 1001|5|3) -> unreadable
    ("art20_5", "other_services"): (U, U, U),
    # 行政处罚26480430: 16 splits -> unreadable
    ("art20_6", "penalty"): (U, U, U),
    # 行政强制126025: 7 splits -> unreadable
    ("art20_6", "coercion"): (U, U, U),
    # 行政事业性收费350: 3|50 or 35|0 -> unreadable (35|0 is the likely reading, see spec X2)
    ("art20_8", "admin_fees"): (U, U),
    # 政府集中采购13575394432.52元: items + amount can be cut 11 ways -> unreadable
    ("art20_9", "central_procurement"): (U, U),
}

PINGTAN_2019_APPLICATIONS = {
    "new": (23, 0, 0, 0, 0, 0, 23),  # "230 000023": only 23,0 | 0,0,0,0,23 satisfies A3
    "carried_over": (0, 0, 0, 0, 0, 0, 0),
    "granted": (7, 0, 0, 0, 0, 0, 7),
    "partially_granted": (1, 0, 0, 0, 0, 0, 1),
    "withheld.state_secret": (0, 0, 0, 0, 0, 0, 0),  # "00000002." -> ordinal 2 of next label
    "withheld.prohibited_by_law": (0, 0, 0, 0, 0, 0, 0),
    "withheld.security_stability": (0, 0, 0, 0, 0, 0, 0),
    "withheld.third_party_rights": (0, 0, 0, 0, 0, 0, 0),
    "withheld.internal_affairs": (0, 0, 0, 0, 0, 0, 0),
    "withheld.process_info": (0, 0, 0, 0, 0, 0, 0),
    "withheld.enforcement_file": (0, 0, 0, 0, 0, 0, 0),
    "withheld.admin_query": (0, 0, 0, 0, 0, 0, 0),
    "unable.not_held": (7, 0, 0, 0, 0, 0, 7),  # "70000072." -> row 7000007, then "2."
    "unable.needs_creation": (0, 0, 0, 0, 0, 0, 0),
    "unable.unclear": (5, 0, 0, 0, 0, 0, 5),
    "not_processed.petition_complaint": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.duplicate": (3, 0, 0, 0, 0, 0, 3),  # "30000033." -> row 3000003, then "3."
    "not_processed.publication": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.excessive": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.confirm_reissue": (0, 0, 0, 0, 0, 0, 0),
    "other_handling": (0, 0, 0, 0, 0, 0, 0),  # "0 0 0 0 0 00"
    "results_total": (23, 0, 0, 0, 0, 0, 23),  # "23 0 00 0 023": "023" can only be 0|23
    "carried_forward": (0, 0, 0, 0, 0, 0, 0),  # " 0 0 00 00 0 "
}

PINGTAN_2019_REVIEW_LITIGATION = {
    # "000000000000000": 15 zeros, one reading
    "review": (0, 0, 0, 0, 0),
    "litigation_direct": (0, 0, 0, 0, 0),
    "litigation_after_review": (0, 0, 0, 0, 0),
}


# ===========================================================================
# 2020-pingtan  (pingtan-2020.txt, 2019 form)
# ===========================================================================

PINGTAN_2020_PROACTIVE = {
    # 规章007 -> only split 0|0|7
    ("art20_1", "regulations"): (0, 0, 7),
    # 规范性文件7777166: 15 splits -> unreadable
    ("art20_1", "normative_docs"): (U, U, U),
    # 行政许可396442278: 28 splits -> unreadable
    ("art20_5", "licensing"): (U, U, U),
    # 其他对外管理服务事项107105: 5 splits -> unreadable
    ("art20_5", "other_services"): (U, U, U),
    # 行政处罚2648-18538: the minus starts the signed 本年增/减 cell, so 2648 | -18538 split in two,
    # and -1|8538, -18|538, -185|38, -1853|8 all remain -> unreadable (spec quotes -185 from the
    # original page; the text alone cannot tell).
    ("art20_6", "penalty"): (U, U, U),
    # 行政强制1262629: 15 splits -> unreadable
    ("art20_6", "coercion"): (U, U, U),
    # JUDGEMENT: 行政事业性收费35-15: a part may carry a sign (本年增/减 is a signed column); the
    # only cut of "35-15" into two numbers is 35 | -15 (a part cannot end in "-"). Spec §8 D6
    # quotes 平潭 2020 "-15" as a signed value, and X2 (2019: 35, 0) agrees with 35.
    ("art20_8", "admin_fees"): (35, -15),
    # 政府集中采购39573802895.90元: 10 cuts -> unreadable
    ("art20_9", "central_procurement"): (U, U),
}

PINGTAN_2020_APPLICATIONS = {
    "new": (20, 0, 0, 0, 0, 1, 21),  # "200 000121": only 20,0 | 0,0,0,1,21 satisfies A3
    "carried_over": (0, 0, 0, 0, 0, 0, 0),
    "granted": (6, 0, 0, 0, 0, 1, 7),  # "6000017"
    "partially_granted": (6, 0, 0, 0, 0, 0, 6),
    "withheld.state_secret": (0, 0, 0, 0, 0, 0, 0),
    "withheld.prohibited_by_law": (0, 0, 0, 0, 0, 0, 0),
    "withheld.security_stability": (0, 0, 0, 0, 0, 0, 0),
    "withheld.third_party_rights": (0, 0, 0, 0, 0, 0, 0),
    "withheld.internal_affairs": (0, 0, 0, 0, 0, 0, 0),
    "withheld.process_info": (0, 0, 0, 0, 0, 0, 0),
    "withheld.enforcement_file": (0, 0, 0, 0, 0, 0, 0),
    "withheld.admin_query": (0, 0, 0, 0, 0, 0, 0),
    "unable.not_held": (4, 0, 0, 0, 0, 0, 4),  # "40000042." -> row 4000004, then "2."
    "unable.needs_creation": (0, 0, 0, 0, 0, 0, 0),
    "unable.unclear": (3, 0, 0, 0, 0, 0, 3),
    "not_processed.petition_complaint": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.duplicate": (3, 0, 0, 0, 0, 0, 3),
    "not_processed.publication": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.excessive": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.confirm_reissue": (0, 0, 0, 0, 0, 0, 0),
    "other_handling": (4, 0, 0, 0, 0, 0, 4),  # "4 0 0 0 0 0 4"
    # "20 0 00 0 121": only 20,0,0,0,0,1,21 satisfies A3. The published 总计 breaks A2 in the
    # natural_person (20 vs 6+6+4+3+3+4 = 26) and total (21 vs 27) columns.
    "results_total": (20, 0, 0, 0, 0, 1, 21),
    "carried_forward": (0, 0, 0, 0, 0, 0, 0),
}

PINGTAN_2020_REVIEW_LITIGATION = {
    "review": (0, 0, 0, 0, 0),
    "litigation_direct": (0, 0, 0, 0, 0),
    "litigation_after_review": (0, 0, 0, 0, 0),
}


# ===========================================================================
# 2021-pingtan  (pingtan-2021.txt, 2021 form)
# ===========================================================================

PINGTAN_2021_PROACTIVE = {
    ("art20_1", "regulations"): (0, 0, 0),  # "规章 000"
    # 行政规范性文件693665: 10 splits, no identity -> unreadable (README's example)
    ("art20_1", "normative_docs"): (U, U, U),
    ("art20_5", "licensing"): (2293,),
    ("art20_6", "penalty"): (1282,),
    ("art20_6", "coercion"): (42,),
    ("art20_8", "admin_fees"): ("24252.311082",),  # 万元, printed with 6 decimals
}

PINGTAN_2021_APPLICATIONS = {
    "new": (64, 0, 0, 2, 0, 4, 70),  # "640020470", one reading
    "carried_over": (0, 0, 0, 0, 0, 0, 0),
    # "270020130": two readings satisfy A3 (27,0,0,2,0,1,30 and 2,7,0,0,20,1,30); only the
    # first makes every column of the table add up (A1/A2), so the import settles it.
    "granted": (27, 0, 0, 2, 0, 1, 30),
    "partially_granted": (5, 0, 0, 0, 0, 0, 5),  # "500000 5"
    "withheld.state_secret": (0, 0, 0, 0, 0, 0, 0),
    "withheld.prohibited_by_law": (0, 0, 0, 0, 0, 0, 0),
    "withheld.security_stability": (0, 0, 0, 0, 0, 0, 0),
    "withheld.third_party_rights": (0, 0, 0, 0, 0, 0, 0),
    "withheld.internal_affairs": (1, 0, 0, 0, 0, 0, 1),  # "10000016." -> row 1000001, then "6."
    "withheld.process_info": (0, 0, 0, 0, 0, 0, 0),
    "withheld.enforcement_file": (6, 0, 0, 0, 0, 0, 6),  # "60000068." -> row 6000006, then "8."
    "withheld.admin_query": (1, 0, 0, 0, 0, 0, 1),
    # "2200003252." -> row "220000325", then "2.": two readings satisfy A3 (22,0,0,0,0,3,25
    # and 2,20,0,0,0,3,25); the column identities A1/A2 leave only the first.
    "unable.not_held": (22, 0, 0, 0, 0, 3, 25),
    "unable.needs_creation": (0, 0, 0, 0, 0, 0, 0),
    "unable.unclear": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.petition_complaint": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.duplicate": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.publication": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.excessive": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.confirm_reissue": (0, 0, 0, 0, 0, 0, 0),
    "other_handling.no_correction": (0, 0, 0, 0, 0, 0, 0),
    "other_handling.fee_unpaid": (0, 0, 0, 0, 0, 0, 0),
    "other_handling.other": (1, 0, 0, 0, 0, 0, 1),
    "results_total": (63, 0, 0, 2, 0, 4, 69),  # "630020469", one reading
    "carried_forward": (1, 0, 0, 0, 0, 0, 1),
}

PINGTAN_2021_REVIEW_LITIGATION = {
    # "10203120001200000": one reading satisfies R1-R3 (spec §8 D7)
    "review": (1, 0, 2, 0, 3),
    "litigation_direct": (12, 0, 0, 0, 12),
    "litigation_after_review": (0, 0, 0, 0, 0),
}


# ===========================================================================
# 2022-pingtan  (pingtan-2022.txt, 2021 form; heading typo 行政法复议)
# ===========================================================================

PINGTAN_2022_PROACTIVE = {
    ("art20_1", "regulations"): (0, 0, 0),
    # 行政规范性文件8855698: 15 splits -> unreadable
    ("art20_1", "normative_docs"): (U, U, U),
    ("art20_5", "licensing"): (10690,),
    ("art20_6", "penalty"): (2113,),
    ("art20_6", "coercion"): (0,),
    ("art20_8", "admin_fees"): ("9116.36",),  # 万元
}

PINGTAN_2022_APPLICATIONS = {
    "new": (71, 3, 0, 0, 0, 0, 74),  # "713000074"
    "carried_over": (1, 0, 0, 0, 0, 0, 1),
    "granted": (21, 0, 0, 0, 0, 0, 21),  # "210000021"
    "partially_granted": (8, 1, 0, 0, 0, 0, 9),  # "8100009"
    "withheld.state_secret": (0, 0, 0, 0, 0, 0, 0),
    "withheld.prohibited_by_law": (0, 0, 0, 0, 0, 0, 0),
    "withheld.security_stability": (0, 0, 0, 0, 0, 0, 0),
    "withheld.third_party_rights": (0, 0, 0, 0, 0, 0, 0),
    "withheld.internal_affairs": (1, 0, 0, 0, 0, 0, 1),
    "withheld.process_info": (2, 0, 0, 0, 0, 0, 2),
    "withheld.enforcement_file": (1, 0, 0, 0, 0, 0, 1),
    "withheld.admin_query": (0, 0, 0, 0, 0, 0, 0),
    "unable.not_held": (37, 0, 0, 0, 0, 0, 37),  # "3700000372." -> row 370000037, then "2."
    "unable.needs_creation": (0, 0, 0, 0, 0, 0, 0),
    "unable.unclear": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.petition_complaint": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.duplicate": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.publication": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.excessive": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.confirm_reissue": (0, 0, 0, 0, 0, 0, 0),
    "other_handling.no_correction": (2, 0, 0, 0, 0, 0, 2),  # "20000022." -> row 2000002
    "other_handling.fee_unpaid": (0, 0, 0, 0, 0, 0, 0),
    "other_handling.other": (0, 2, 0, 0, 0, 0, 2),  # "0200002"
    "results_total": (72, 3, 0, 0, 0, 0, 75),  # "723000075"
    "carried_forward": (0, 0, 0, 0, 0, 0, 0),
}

PINGTAN_2022_REVIEW_LITIGATION = {
    # space-separated: "0 1 1 0 2 1 0 0 0 1 0 0 0 0 0"
    "review": (0, 1, 1, 0, 2),
    "litigation_direct": (1, 0, 0, 0, 1),
    "litigation_after_review": (0, 0, 0, 0, 0),
}


# ===========================================================================
# 2019-shanghai-office  (shanghai-office-2019.html, 2019 form, HTML tables)
# Table 二 prints its zeros as 0; tables 三/四 print zeros as blank cells (&nbsp;).
# ===========================================================================

SHANGHAI_2019_PROACTIVE = {
    ("art20_1", "regulations"): (13, 13, 524),
    ("art20_1", "normative_docs"): (60, 60, 368),
    ("art20_5", "licensing"): (0, 0, 0),
    ("art20_5", "other_services"): (0, 0, 0),
    ("art20_6", "penalty"): (0, 0, 0),
    ("art20_6", "coercion"): (0, 0, 0),
    ("art20_8", "admin_fees"): (0, 0),
    ("art20_9", "central_procurement"): (6, 251000),  # "251000元": unit 元, not converted
}

SHANGHAI_2019_APPLICATIONS = {
    "new": (821, 35, B, B, 2, 1, 859),
    "carried_over": (18, B, B, B, B, B, 18),
    # result rows: the 总计 column is blank in the source
    "granted": (258, 12, B, B, 1, 1, B),
    "partially_granted": (3, B, B, B, B, B, B),
    "withheld.state_secret": (14, B, B, B, B, B, B),
    "withheld.prohibited_by_law": (B, B, B, B, B, B, B),
    "withheld.security_stability": (B, B, B, B, B, B, B),
    "withheld.third_party_rights": (B, B, B, B, B, B, B),
    "withheld.internal_affairs": (5, B, B, B, B, B, B),
    "withheld.process_info": (3, 1, B, B, B, B, B),
    "withheld.enforcement_file": (B, B, B, B, B, B, B),
    "withheld.admin_query": (10, 2, B, B, B, B, B),
    "unable.not_held": (252, 12, B, B, 1, B, B),
    "unable.needs_creation": (44, 3, B, B, B, B, B),
    "unable.unclear": (25, B, B, B, B, B, B),
    "not_processed.petition_complaint": (148, 1, B, B, B, B, B),
    "not_processed.duplicate": (5, 4, B, B, B, B, B),
    "not_processed.publication": (B, B, B, B, B, B, B),
    "not_processed.excessive": (B, B, B, B, B, B, B),
    "not_processed.confirm_reissue": (B, B, B, B, B, B, B),
    "other_handling": (B, B, B, B, B, B, B),
    "results_total": (767, 35, B, B, 2, 1, 805),
    "carried_forward": (72, B, B, B, B, B, 72),
}

SHANGHAI_2019_REVIEW_LITIGATION = {
    "review": (5, B, B, 2, 7),
    "litigation_direct": (8, B, B, 1, 9),
    "litigation_after_review": (B, B, B, B, B),
}


# ===========================================================================
# 2023-hongze  (hongze-2023.pdf / .pdf.txt; 2021-form table 二, one-row （六）其他处理)
# Numbers are space-separated in the text layer; no glued digits.
# ===========================================================================

HONGZE_2023_PROACTIVE = {
    ("art20_1", "regulations"): (0, 0, 0),
    ("art20_1", "normative_docs"): (0, 5, 5),
    ("art20_5", "licensing"): (550,),
    ("art20_6", "penalty"): (4119,),
    ("art20_6", "coercion"): (195,),
    ("art20_8", "admin_fees"): ("7730.28",),  # 万元
}

HONGZE_2023_APPLICATIONS = {
    "new": (21, 0, 0, 0, 0, 0, 21),
    "carried_over": (0, 0, 0, 0, 0, 0, 0),
    "granted": (0, 0, 0, 0, 0, 0, 0),
    "partially_granted": (4, 0, 0, 0, 0, 0, 4),
    "withheld.state_secret": (1, 0, 0, 0, 0, 0, 1),
    "withheld.prohibited_by_law": (0, 0, 0, 0, 0, 0, 0),  # label typo 其他法律行政止公开
    "withheld.security_stability": (0, 0, 0, 0, 0, 0, 0),
    "withheld.third_party_rights": (0, 0, 0, 0, 0, 0, 0),
    "withheld.internal_affairs": (0, 0, 0, 0, 0, 0, 0),
    "withheld.process_info": (1, 0, 0, 0, 0, 0, 1),
    "withheld.enforcement_file": (1, 0, 0, 0, 0, 0, 1),
    "withheld.admin_query": (0, 0, 0, 0, 0, 0, 0),
    "unable.not_held": (10, 0, 0, 0, 0, 0, 10),
    "unable.needs_creation": (3, 0, 0, 0, 0, 0, 3),
    "unable.unclear": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.petition_complaint": (1, 0, 0, 0, 0, 0, 1),
    "not_processed.duplicate": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.publication": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.excessive": (0, 0, 0, 0, 0, 0, 0),
    "not_processed.confirm_reissue": (0, 0, 0, 0, 0, 0, 0),
    "other_handling": (0, 0, 0, 0, 0, 0, 0),  # printed as ONE row (2019 row set)
    "results_total": (21, 0, 0, 0, 0, 0, 21),
    "carried_forward": (0, 0, 0, 0, 0, 0, 0),
}

HONGZE_2023_REVIEW_LITIGATION = {
    # "10 1 0 0 0 0 0 0 0 0 5 0 0 0 0": every cell separated, printed as is (the PDF itself has
    # total 0 for review and for litigation_after_review: R1 and R3 fail in the source)
    "review": (10, 1, 0, 0, 0),
    "litigation_direct": (0, 0, 0, 0, 0),
    "litigation_after_review": (5, 0, 0, 0, 0),
}


# ===========================================================================
# Index
# ===========================================================================

EXPECTED = {
    "2019-pingtan": {
        "proactive": PINGTAN_2019_PROACTIVE,
        "applications": PINGTAN_2019_APPLICATIONS,
        "review_litigation": PINGTAN_2019_REVIEW_LITIGATION,
    },
    "2020-pingtan": {
        "proactive": PINGTAN_2020_PROACTIVE,
        "applications": PINGTAN_2020_APPLICATIONS,
        "review_litigation": PINGTAN_2020_REVIEW_LITIGATION,
    },
    "2021-pingtan": {
        "proactive": PINGTAN_2021_PROACTIVE,
        "applications": PINGTAN_2021_APPLICATIONS,
        "review_litigation": PINGTAN_2021_REVIEW_LITIGATION,
    },
    "2022-pingtan": {
        "proactive": PINGTAN_2022_PROACTIVE,
        "applications": PINGTAN_2022_APPLICATIONS,
        "review_litigation": PINGTAN_2022_REVIEW_LITIGATION,
    },
    "2019-shanghai-office": {
        "proactive": SHANGHAI_2019_PROACTIVE,
        "applications": SHANGHAI_2019_APPLICATIONS,
        "review_litigation": SHANGHAI_2019_REVIEW_LITIGATION,
    },
    "2023-hongze": {
        "proactive": HONGZE_2023_PROACTIVE,
        "applications": HONGZE_2023_APPLICATIONS,
        "review_litigation": HONGZE_2023_REVIEW_LITIGATION,
    },
}

# Table 二 measures per report (2023-hongze uses the 2021-form table 二).
PROACTIVE_MEASURES = {
    "2019-pingtan": MEASURES_2019,
    "2020-pingtan": MEASURES_2019,
    "2021-pingtan": MEASURES_2021,
    "2022-pingtan": MEASURES_2021,
    "2019-shanghai-office": MEASURES_2019,
    "2023-hongze": MEASURES_2021,
}

# Unit of the money cells that carry a value, as printed (not converted).
MONEY_UNITS = {
    ("2019-shanghai-office", "art20_9", "central_procurement", "total_amount"): "元",
    ("2021-pingtan", "art20_8", "admin_fees", "fee_amount"): "万元",
    ("2022-pingtan", "art20_8", "admin_fees", "fee_amount"): "万元",
    ("2023-hongze", "art20_8", "admin_fees", "fee_amount"): "万元",
}


def expected_cells(report_id: str, table: str) -> dict[tuple[str, ...], object]:
    """The hand-typed table of one report as {cell key: expected}."""
    data = EXPECTED[report_id][table]
    cells: dict[tuple[str, ...], object] = {}
    if table == "proactive":
        measures = PROACTIVE_MEASURES[report_id]
        for (article, item), values in data.items():
            names = measures[article]
            assert len(values) == len(names), (report_id, article, item)
            for measure, value in zip(names, values):
                cells[(article, item, measure)] = value
    elif table == "applications":
        for row, values in data.items():
            assert len(values) == len(APPLICANTS), (report_id, row)
            for applicant, value in zip(APPLICANTS, values):
                cells[(row, applicant)] = value
    else:
        assert list(data) == list(PROCEEDINGS), report_id
        for proceeding, values in data.items():
            assert len(values) == len(OUTCOMES), (report_id, proceeding)
            for outcome, value in zip(OUTCOMES, values):
                cells[(proceeding, outcome)] = value
    return cells


KEY_FIELDS = {
    "proactive": ("article", "item", "measure"),
    "applications": ("row", "applicant"),
    "review_litigation": ("proceeding", "outcome"),
}


# ===========================================================================
# Reading the built package
# ===========================================================================

@pytest.fixture(scope="module")
def resources(built_data) -> dict[str, list[dict[str, str]]]:
    """Every resource of the combined package, by name, as a list of CSV rows."""
    package = json.loads((built_data / "datapackage.json").read_text("utf-8"))
    out: dict[str, list[dict[str, str]]] = {}
    for resource in package["resources"]:
        with open(built_data / resource["path"], encoding="utf-8", newline="") as f:
            out[resource["name"]] = list(csv.DictReader(f))
    return out


def rows_of(resources, name: str, report_id: str) -> list[dict[str, str]]:
    assert name in resources, f"resource {name!r} missing from datapackage.json"
    return [r for r in resources[name] if r["report_id"] == report_id]


def as_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def describe(row: dict[str, str]) -> str:
    return f"status={row.get('status')!r} value={row.get('value')!r}"


# ===========================================================================
# Tests
# ===========================================================================

CASES = [(rid, table) for rid in EXPECTED for table in KEY_FIELDS]


@pytest.mark.parametrize(("report_id", "table"), CASES, ids=[f"{r}-{t}" for r, t in CASES])
def test_published_figures(resources, report_id, table):
    expected = expected_cells(report_id, table)
    rows = rows_of(resources, table, report_id)
    assert rows, f"{report_id} {table}: no rows in the package (report not imported?)"
    year = report_id.split("-", 1)[0]

    actual: dict[tuple[str, ...], dict[str, str]] = {}
    problems: list[str] = []
    for row in rows:
        key = tuple(row[f] for f in KEY_FIELDS[table])
        if key in actual:
            problems.append(f"{report_id} {table} {'/'.join(key)}: duplicate row")
        actual[key] = row
        if row.get("year") != year:
            problems.append(f"{report_id} {table} {'/'.join(key)}: year {row.get('year')!r} != {year}")

    for key, want in expected.items():
        where = f"{report_id} {table} {'/'.join(key)}"
        row = actual.get(key)
        if row is None:
            problems.append(f"{where}: missing (expected {want!r})")
            continue
        if want in NON_REPORTED:
            if row["status"] != want or row["value"] != "":
                problems.append(f"{where}: expected status {want!r} with empty value, got {describe(row)}")
            continue
        got = as_decimal(row["value"])
        if row["status"] != "reported" or got is None or got != Decimal(str(want)):
            problems.append(f"{where}: expected reported {want}, got {describe(row)}")
            continue
        unit = MONEY_UNITS.get((report_id, *key))
        if unit is not None and row.get("unit") != unit:
            problems.append(f"{where}: expected unit {unit!r}, got {row.get('unit')!r}")

    # Nothing beyond the published cells, except rows explicitly marked absent (no figure).
    for key, row in actual.items():
        if key not in expected and (row["status"] != "absent" or row["value"] != ""):
            problems.append(f"{report_id} {table} {'/'.join(key)}: unexpected cell, {describe(row)}")

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("report_id", list(REPORTS))
def test_report_entry(resources, report_id):
    template, full_text = REPORTS[report_id]
    rows = rows_of(resources, "reports", report_id)
    assert len(rows) == 1, f"{report_id} reports: expected one row, got {len(rows)}"
    row = rows[0]
    year, agency_id = report_id.split("-", 1)
    assert row["year"] == year, f"{report_id} reports year: {row['year']!r}"
    assert row["agency_id"] == agency_id, f"{report_id} reports agency_id: {row['agency_id']!r}"
    assert row["template"] == template, f"{report_id} reports template: {row['template']!r}, expected {template!r}"
    assert row["full_text"] == full_text, f"{report_id} reports full_text: {row['full_text']!r}, expected {full_text!r}"


def checks_of(resources, report_id: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["check"], r["scope"]): r for r in rows_of(resources, "checks", report_id)}


def test_hongze_2023_review_totals_printed_zero_fail(resources):
    """Table 四 prints 总计 0 for 行政复议 (10+1) and 复议后起诉 (5): R1 and R3 fail, R2 passes."""
    checks = checks_of(resources, "2023-hongze")
    for check, scope, result, pair in (
        ("R1", "review", "fail", {Decimal(0), Decimal(11)}),
        ("R2", "litigation_direct", "pass", {Decimal(0)}),
        ("R3", "litigation_after_review", "fail", {Decimal(0), Decimal(5)}),
    ):
        row = checks.get((check, scope))
        assert row is not None, f"2023-hongze checks {check}/{scope}: missing"
        assert row["result"] == result, f"2023-hongze checks {check}/{scope}: {row['result']!r}, expected {result!r}"
        got = {as_decimal(row["expected"]), as_decimal(row["actual"])}
        assert got == pair, f"2023-hongze checks {check}/{scope}: expected/actual {got}, want {pair}"


def test_pingtan_2020_results_total_breaks_a2(resources):
    """The published （七）总计 row (20,0,0,0,0,1,21) is not the sum of the result rows in the
    natural_person column (6+6+4+3+3+4 = 26) and the total column (7+6+4+3+3+4 = 27); every other
    A1/A2 check passes (A1 holds: new 20/…/21 + 0 = 总计 + carried forward 0)."""
    checks = checks_of(resources, "2020-pingtan")
    a_checks = {k: r for k, r in checks.items() if k[0] in ("A1", "A2")}
    assert a_checks, "2020-pingtan checks: no A1/A2 rows"
    failing = {k for k, r in a_checks.items() if r["result"] == "fail"}
    assert failing == {("A2", "natural_person"), ("A2", "total")}, (
        f"2020-pingtan checks: failing A1/A2 scopes {sorted(failing)}")
    for scope, pair in (("natural_person", {Decimal(20), Decimal(26)}),
                        ("total", {Decimal(21), Decimal(27)})):
        row = a_checks[("A2", scope)]
        got = {as_decimal(row["expected"]), as_decimal(row["actual"])}
        assert got == pair, f"2020-pingtan checks A2/{scope}: expected/actual {got}, want {pair}"
    for applicant in APPLICANTS:
        for check in ("A1", "A2"):
            assert (check, applicant) in a_checks, f"2020-pingtan checks {check}/{applicant}: missing"
