#!/usr/bin/env python3
"""Entry point: ``python build.py [build|check] …`` (see ``python build.py --help``)."""

import sys

from nianbao.cli import main

if __name__ == "__main__":
    sys.exit(main())
