"""The one located diagnostic type.

A diagnostic is a record with a stable ``code`` and a position, rendered as::

    content/2020/heilongjiang.md:75:3: error[cell-not-number]: 'abc' is not a number
       75 | 一、本年新收政府信息公开申请数量		abc	174 …
          |   ^
      = hint: a cell of table 三 holds a whole number, '-' or nothing

Stages return diagnostics; they never raise them. Only the command line turns errors into an
exit code (1), after printing every one of them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""
    source: str = ""
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        head = f"{self.path}:{self.line}:{self.col}: {self.severity}[{self.code}]: {self.message}"
        lines = [head]
        if self.source:
            gutter = str(self.line)
            shown, caret = excerpt(self.source, self.col)
            lines.append(f" {gutter} | {shown}")
            lines.append(f" {' ' * len(gutter)} | {' ' * caret}^")
        if self.hint:
            lines.append(f" {' ' * len(str(self.line))} = hint: {self.hint}")
        return "\n".join(lines)

    def as_record(self) -> dict[str, object]:
        """The diagnostic as a plain record (the same fields the text form shows)."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def excerpt(line: str, col: int, width: int = 60) -> tuple[str, int]:
    """The part of a (possibly very long) source line around ``col``, and the caret offset in
    display cells (a CJK character is two cells wide)."""
    line = line.replace("\t", "→")
    start = max(0, col - 1 - width // 2)
    end = min(len(line), start + width)
    shown = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
    before = ("…" if start else "") + line[start : max(col - 1, start)]
    caret = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in before)
    return shown, caret


@dataclass(frozen=True)
class SourceText:
    """A text file as read, able to point at its own lines."""

    path: str
    text: str

    @cached_property
    def lines(self) -> list[str]:  # split once: a file with many problems asks for many lines
        return self.text.split("\n")

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number - 1] if 1 <= number <= len(lines) else ""

    def diagnostic(
        self, line: int, col: int, code: str, message: str, hint: str = "", severity: str = ERROR
    ) -> Diagnostic:
        return Diagnostic(
            path=self.path,
            line=line,
            col=col,
            code=code,
            message=message,
            hint=hint,
            source=self.line(line),
            severity=severity,
        )


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as the user would type it: relative to the working directory where possible."""
    base = base or Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]
