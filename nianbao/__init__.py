"""nianbao: China's government information-disclosure annual reports as open data.

A linear pipeline, one module a stage, frozen data passed on:
load → parse → validate → package → render → publish (see ``pipeline``).
"""

__version__ = "0.1.0"
