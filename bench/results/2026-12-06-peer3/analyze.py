#!/usr/bin/env python3
"""analyze.py DIR: per member, per-thread CPU (vetcd) and per-put counters (vetcd and etcd) over the measured rounds.
Windows come from compare-ts.txt: a round line's timestamp ends it, the previous line's starts it."""
import sys, json, re, collections
d = sys.argv[1]
lines = [l.rstrip('\n').split(' ', 1) for l in open(f'{d}/compare-ts.txt') if l.strip()]
wins = {'etcd': [], 'vetcd': []}
ports = {}
for i, (t, text) in enumerate(lines):
    m = re.match(r'started (\w+) .* at \[([^]]*)\]', text)
    if m: ports[m.group(1)] = m.group(2).split(', ')
    m = re.match(r'r\d+ 3m put \[go\]\s+(\w+)\s+OK\s+([\d.]+) QPS', text)
    if m:
        wins[m.group(1)].append((float(lines[i-1][0]), float(t), float(m.group(2))))
# metrics: t port name{labels} value
samples = collections.defaultdict(list)  # port -> [(t, {metric: value})]
cur = {}
for l in open(f'{d}/metrics.txt'):
    t, port, rest = l.split(' ', 2)
    name, val = rest.rsplit(' ', 1)
    key = (port, t)
    cur.setdefault(key, {})[name] = float(val)
for (port, t), vals in cur.items(): samples[port].append((float(t), vals))
for p in samples: samples[p].sort()
def at(port, t):  # nearest sample at or before t (else first after)
    s = samples.get(port, [])
    best = None
    for ts, v in s:
        if ts <= t: best = (ts, v)
    return best or (s[0] if s else None)
def agg(vals):
    out = collections.defaultdict(float)
    for k, v in vals.items():
        base = k.split('{')[0]
        out[base] += v
    return out
for sysname in ('etcd', 'vetcd'):
    print(f'== {sysname}')
    for (t0, t1, qps) in wins[sysname]:
        puts = qps * (t1 - t0)
        print(f'  window {t1-t0:.1f}s, {qps:.0f} QPS, ~{puts:.0f} puts')
        for port in ports.get(sysname, []):
            a, b = at(port, t0), at(port, t1)
            if not a or not b: continue
            A, B = agg(a[1]), agg(b[1])
            dt = b[0] - a[0]
            rate = {k: (B[k] - A.get(k, 0)) for k in B}
            n = rate.get('etcd_server_proposals_applied_total', 0)
            def per(k): return rate.get(k, 0) / n if n else float('nan')
            print(f'   {port}: scrape window {dt:.1f}s applied {n:.0f}  per applied entry: fsync {per("etcd_disk_wal_fsync_duration_seconds_count"):.3f}'
                  f' readies {per("vetcd_server_raft_readies_total"):.3f} streamW {per("vetcd_network_peer_stream_writes_total"):.3f}'
                  f' streamR {per("vetcd_network_peer_stream_reads_total"):.3f} sentB {per("etcd_network_peer_sent_bytes_total"):.0f} recvB {per("etcd_network_peer_received_bytes_total"):.0f}')
import subprocess, os
tf = f'{d}/threads.jsonl' if os.path.exists(f'{d}/threads.jsonl') else f'{d}/threads.jsonl.gz'
for (t0, t1, qps) in wins['vetcd']:
    print(f'-- vetcd threads {t0:.1f}..{t1:.1f} ({qps*(t1-t0):.0f} puts)')
    print(subprocess.run(['python3', sys.argv[0].replace('analyze.py', 'threaddelta.py'), tf, str(t0), str(t1)], capture_output=True, text=True).stdout)
