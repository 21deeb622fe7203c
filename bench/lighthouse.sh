#!/usr/bin/env bash
# Lighthouse (performance, accessibility, best practices, SEO) on the built site, served under a
# project subpath as on GitHub Pages, in Debian's Chromium. Not part of the test suite.
#   bench/lighthouse.sh [page ...]      default: a report page
# Needs Node.js/npm (installs lighthouse into .bench/ once) and /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
LH_VERSION=13.5.0
work=.bench/lighthouse
mkdir -p "$work/www"
[ -x "$work/node_modules/.bin/lighthouse" ] || npm install --prefix "$work" --silent "lighthouse@$LH_VERSION"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/nianbao/"
$PY build.py --site "$work/www/nianbao" --data "$work/data" --base-url "$base" >/dev/null
$PY -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
pages=("$@"); [ ${#pages[@]} -gt 0 ] || pages=(reports/2020-heilongjiang/index.html)
flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
for page in "${pages[@]}"; do
  out="$work/$(echo "$page" | tr '/?=' '___').json"
  CHROME_PATH=/usr/bin/chromium "$work/node_modules/.bin/lighthouse" "$base$page" --quiet \
    --chrome-flags="$flags" --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output-path="$out"
  $PY - "$out" "$page" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
scores = {k: round(c["score"] * 100) for k, c in r["categories"].items()}
print(sys.argv[2], " ".join(f"{k}={v}" for k, v in scores.items()))
for c in r["categories"].values():
    for ref in c["auditRefs"]:
        a = r["audits"][ref["id"]]
        if ref.get("weight", 0) and a.get("score") is not None and a["score"] < 1:
            print(f"    {ref['id']}: {a['score']} {a.get('displayValue', '')}")
PY
done
