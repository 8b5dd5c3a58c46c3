#!/usr/bin/env python3
"""Per-process, per-thread CPU seconds between two sample times (or the whole file): threaddelta.py FILE [t0 t1]"""
import sys, json, gzip
rows = [json.loads(l) for l in (gzip.open(sys.argv[1], 'rt') if sys.argv[1].endswith('.gz') else open(sys.argv[1]))]
t0 = float(sys.argv[2]) if len(sys.argv) > 2 else rows[0]['t']
t1 = float(sys.argv[3]) if len(sys.argv) > 3 else rows[-1]['t']
a = min((r for r in rows if r['t'] >= t0), key=lambda r: r['t'])
b = max((r for r in rows if r['t'] <= t1), key=lambda r: r['t'])
print(f"window {b['t']-a['t']:.1f}s")
for pid, p in b['procs'].items():
    before = a['procs'].get(pid, {'threads': {}})['threads']
    d = {k: (v - before.get(k, 0)) / 100 for k, v in p['threads'].items()}
    tot = sum(d.values())
    print(f"pid {pid} {p['name']}: {tot:.2f} s")
    for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:14]:
        if v > 0: print(f"   {v:7.2f} {k}")
