#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: what an idempotent request costs carepay-stripe-sim with many
stored Idempotency-Keys (Stripe keeps them 24 hours). For 1,000, 10,000 and
100,000 stored keys, the simulator's CPU time (utime + stime from /proc,
independent of the machine's load) and wall time per replayed request,
median of 5 runs. Prints a table; asserts nothing.

Usage: bench-sim-idempotency.py SIM [OLD_SIM]
With OLD_SIM (a simulator built from an older tree), both run interleaved,
for an A/B on the same machine at the same time."""
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REQUESTS = 400
SIZES = (1000, 10000, 100000)
CLK = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def make_state(n, path):
    now = int(time.time())
    keys = {f'k{i}': {'fingerprint': 'x', 'request_id': 'req_x', 'status': 200, 'body': '{}',
                      'created': now - i} for i in range(n)}
    with open(path, 'w') as f:
        json.dump({'version': 1, 'objects': {}, 'private': {}, 'idempotency': keys}, f)


def run(sim, state, workdir):
    """ms of CPU and wall per request over REQUESTS replays of one key."""
    copy = os.path.join(workdir, 'run.json')
    shutil.copy(state, copy)
    proc = subprocess.Popen([sim, '--state', copy], stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split()[-1].rstrip('/')
        host, port = url.split('//')[1].split(':')
        conn = http.client.HTTPConnection(host, int(port))
        headers = {'Authorization': 'Bearer sk_test_bench', 'Idempotency-Key': 'bench-key',
                   'Content-Type': 'application/x-www-form-urlencoded'}
        conn.request('POST', '/v1/customers', 'name=Bench', headers)
        conn.getresponse().read()
        cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
        for _ in range(REQUESTS):
            conn.request('POST', '/v1/customers', 'name=Bench', headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200 and response.getheader('Idempotent-Replayed') == 'true'
        cpu1, wall1 = cpu_seconds(proc.pid), time.monotonic()
    finally:
        proc.kill()
        proc.wait()
    return (cpu1 - cpu0) * 1000 / REQUESTS, (wall1 - wall0) * 1000 / REQUESTS


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sims = {'new': sys.argv[1]}
    if len(sys.argv) > 2:
        sims['old'] = sys.argv[2]
    print(f'Idempotent replay cost in carepay-stripe-sim, ms per request, median of 5 runs '
          f'of {REQUESTS} (CPU: the simulator\'s utime+stime; load: {os.getloadavg()[0]:.1f})')
    print(f"{'keys':>8} " + ' '.join(f'{name + " cpu":>10} {name + " wall":>10}' for name in sims))
    with tempfile.TemporaryDirectory(prefix='bench-sim-idem-') as workdir:
        for n in SIZES:
            state = os.path.join(workdir, f'state-{n}.json')
            make_state(n, state)
            results = {name: [] for name in sims}
            for _ in range(5):
                for name, sim in sims.items():
                    results[name].append(run(sim, state, workdir))
            cells = []
            for name in sims:
                cells.append(f'{statistics.median(r[0] for r in results[name]):>10.3f}')
                cells.append(f'{statistics.median(r[1] for r in results[name]):>10.3f}')
            print(f'{n:>8} ' + ' '.join(cells))


if __name__ == '__main__':
    main()
