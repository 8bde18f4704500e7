#!/usr/bin/env python3
"""Prints `N passed, N failed` from one or more of meson's JSON test logs,
counting TAP test cases; a test program that failed without reporting a failed case (a crash,
a timeout) counts as one failure, so nothing broken is hidden."""
import json
import re
import sys

paths = sys.argv[1:] or ["build/meson-logs/testlog.json"]
passed = failed = skipped = 0
lines = []
for path in paths:
    try:
        with open(path, encoding="utf-8") as f:
            lines += [line for line in f if line.strip()]
    except OSError:
        # A run that left no log did not run its tests: that is a failure.
        failed += 1

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
