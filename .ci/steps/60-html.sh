#!/usr/bin/env bash
# The fleet report's HTML page in a real browser (Debian's chromium, headless): the table and
# the summary are there, a hostile host name shows as text, and no script runs. A canary page
# first proves that this browser does run scripts, so "no script ran" means something.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

if ! command -v chromium > /dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q > /dev/null
  apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core > /dev/null
fi
chromium --version

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
browse() {  # browse OUTPUT_OPTION FILE: one headless chromium run, bounded in time
  timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-dev-shm-usage \
    --user-data-dir="$work/profile" --window-size=1400,900 "$@" 2> "$work/chromium.err"
}

# The demo lab: recorded documents written by tests/data/make_documents.py, plus one benchmark.
cp -R tests/data/fleet/demo "$work/fleet"
cp tests/data/fleet/example-lab01.bench.json "$work/fleet/"
set +e
dlcheck report "$work/fleet" --format html -o "$work/fleet.html"
rc=$?
set -e
[ "$rc" = 1 ] || { echo "dlcheck report: exit $rc, expected 1 (a machine is not ready)" >&2; exit 1; }

cat > "$work/canary.html" <<'HTML'
<!DOCTYPE html><html><head><title>before</title></head>
<body><script>document.title = "JS-RAN"; document.body.dataset.ran = "1";</script></body></html>
HTML
browse --dump-dom "file://$work/canary.html" > "$work/canary.dom"
grep -q "<title>JS-RAN</title>" "$work/canary.dom" || {
  echo "chromium ran no script on the canary page; the check below would prove nothing" >&2
  cat "$work/canary.dom" "$work/chromium.err" >&2; exit 1; }

browse --dump-dom "file://$work/fleet.html" > "$work/fleet.dom"
browse --screenshot="$work/fleet.png" "file://$work/fleet.html" > /dev/null
python - "$work/fleet.dom" "$work/fleet.png" <<'PY'
import struct
import sys
from html.parser import HTMLParser

sys.path.insert(0, "tests")
from recorded import hostile_host

HOSTILE_HOST = hostile_host()


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.attrs = [], [], {}
        self.title, self.summary, self.row_heads, self.rows = "", "", [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.stack.append((tag, dict(attrs)))
        if tag == "body":
            self.attrs = dict(attrs)
        if tag == "tr" and any(t == "tbody" for t, _ in self.stack):
            self.rows += 1
        if tag == "th" and dict(attrs).get("scope") == "row":
            self.row_heads.append("")

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        names = [t for t, _ in self.stack]
        if "title" in names:
            self.title += data
        if any(a.get("id") == "summary" for _, a in self.stack):
            self.summary += data
        if names and names[-1] == "th" and self.stack[-1][1].get("scope") == "row":
            self.row_heads[-1] += data


dom = Dom()
dom.feed(open(sys.argv[1], encoding="utf-8").read())
assert dom.rows == 6, f"{dom.rows} machine rows in the table, expected 6"
assert "4 of 6 machines ready" in dom.summary, dom.summary
assert "Most common failures" in dom.summary, dom.summary
assert HOSTILE_HOST in dom.row_heads, dom.row_heads  # the hostile name, as text
assert "script" not in dom.tags and "img" not in dom.tags, sorted(set(dom.tags))
assert "PWNED" not in dom.title, dom.title
assert "data-pwned" not in dom.attrs, dom.attrs
png = open(sys.argv[2], "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000, len(png)
w, h = struct.unpack(">II", png[16:24])
print(f"browser: {dom.rows} rows, summary: {dom.summary.strip()[:80]}...; "
      f"hostile host name shown as text; title {dom.title!r}; screenshot {w}x{h}")
PY
echo "html step passed"
