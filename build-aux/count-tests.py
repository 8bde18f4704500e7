#!/usr/bin/env python3
"""Prints `N passed, N failed` from meson's testlog.json, counting TAP test
cases; a test program that failed without reporting a failed case (a crash,
a timeout) counts as one failure, so nothing broken is hidden."""
import json
import re
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json"
passed = failed = skipped = 0
try:
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
except OSError:
    print("0 passed, 1 failed")
    sys.exit(0)

for line in lines:
    t = json.loads(line)
    out = t.get("stdout") or ""
    p = f_ = s = 0
    for tap in out.splitlines():
        if re.match(r"^not ok\b", tap):
            if re.search(r"#\s*TODO", tap, re.I):
                continue
            f_ += 1
        elif re.match(r"^ok\b", tap):
            if re.search(r"#\s*SKIP", tap, re.I):
                s += 1
            else:
                p += 1
    result = t.get("result", "")
    if result not in ("OK", "SKIP", "EXPECTEDFAIL") and f_ == 0:
        f_ = 1
    if result == "SKIP" and p == 0 and f_ == 0:
        s = max(s, 1)
    passed += p
    failed += f_
    skipped += s

line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
