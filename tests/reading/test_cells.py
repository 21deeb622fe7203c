from decimal import Decimal

import pytest

from nianbao.reading.cells import parse_cell


@pytest.mark.parametrize("text,value,unit", [
    ("6", 6, ""), ("+1366", 1366, ""), ("-38", -38, ""), ("−38", -38, ""), ("－38", -38, ""),
    ("减少38", -38, ""), ("增加5", 5, ""), ("3618261.46 万元", Decimal("3618261.46"), "万元"),
    ("251000元", 251000, "元"), ("12,345", 12345, ""), ("１２", 12, ""), (" 7 ", 7, ""),
    ("24252.311082", Decimal("24252.311082"), ""),
])
def test_numbers(text, value, unit):
    parsed = parse_cell(text)
    assert parsed.status == "reported"
    assert parsed.value == value and type(parsed.value) is type(value)
    assert parsed.unit == unit


@pytest.mark.parametrize("text,status", [
    ("", "blank"), ("\u00a0", "blank"), ("-", "dash"), ("—", "dash"), ("/", "dash"),
    ("／", "dash"), ("无", "dash"),
])
def test_nils(text, status):
    parsed = parse_cell(text)
    assert parsed.status == status and parsed.value is None


@pytest.mark.parametrize("text", ["abc", "1.2.3", "+-3", "增加-3", "12件abc"])
def test_not_numbers(text):
    assert parse_cell(text) is None
