#!/usr/bin/env bash
# Regenerate requirements-test.lock (runtime + `test` extra) and requirements.lock (runtime) from
# pyproject.toml, with pip-tools, PyPI only, for CPython 3.11 on Linux; both also pin setuptools,
# the build backend, for `pip install --no-build-isolation --no-deps -e .`.
#
#   tools/lock.sh                              keep every current pin, add/drop what pyproject needs
#   tools/lock.sh --upgrade-package pandas     move one package (and what it needs) to its newest
#   tools/lock.sh --upgrade                    move everything to the newest that pyproject allows
#
# requirements.lock is resolved under requirements-test.lock's pins, so the two always agree.
# Then reinstall (README, "Dependencies") and run the tests: tests/test_lock.py fails on a stale venv.
set -euo pipefail
cd "$(dirname "$0")/.."
# PyPI's files and hashes only, whatever the machine's pip.conf or PIP_* variables add.
export PIP_CONFIG_FILE=/dev/null
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_NO_INDEX PIP_CONSTRAINT PIP_REQUIRE_HASHES
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || { echo "tools/lock.sh: needs Python 3.11 (set PYTHON=...): the locks are for 3.11" >&2; exit 1; }
venv=${LOCK_VENV:-${TMPDIR:-/tmp}/nianbao-lock-venv}
if [ ! -x "$venv/bin/pip-compile" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --index-url https://pypi.org/simple 'pip-tools==7.6.2'
fi
compile=("$venv/bin/pip-compile" -q --generate-hashes --strip-extras --allow-unsafe
         --index-url https://pypi.org/simple --no-emit-index-url --no-emit-find-links
         --build-deps-for editable)
export CUSTOM_COMPILE_COMMAND=tools/lock.sh   # the command named in the locks' header
"${compile[@]}" --extra test -o requirements-test.lock "$@" pyproject.toml
"${compile[@]}" -c requirements-test.lock -o requirements.lock "$@" pyproject.toml
