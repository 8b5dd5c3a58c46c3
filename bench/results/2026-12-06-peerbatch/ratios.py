#!/usr/bin/env python3
"""Medians over phases (from --from, default 3) of per-phase ratios in a bench/read-steady output:
QPS and CPU s/10k of vetcd and vetcd2 against etcd in the same phase, and vetcd against vetcd2; and the
per-request counts (--counts) averaged over the same phases."""
import re, sys, statistics, collections
path = sys.argv[1]; first = int(sys.argv[2]) if len(sys.argv) > 2 else 3
rows = collections.defaultdict(dict); counts = collections.defaultdict(list); last = None
for l in open(path):
    m = re.match(r'p(\d+) (\S+)\s+(\S+)\s+QPS\s+([\d.]+) p50\s+([\d.]+) p99\s+([\d.]+) ms CPU ([\d.]+)', l)
    if m:
        ph, w, k = int(m[1]), m[2], m[3]
        rows[(ph, w)][k] = dict(qps=float(m[4]), p50=float(m[5]), p99=float(m[6]), cpu=float(m[7]))
        last = (ph, w, k); continue
    m = re.match(r'\s+per request: (.*)', l)
    if m and last and last[0] >= first:
        d = dict(re.findall(r'(\w+) ([\d.]+)', m[1]))
        counts[(last[1], last[2])].append({k: float(v) for k, v in d.items()})
ws = sorted({w for _, w in rows})
for w in ws:
    phs = sorted(ph for ph, w_ in rows if w_ == w and ph >= first)
    print(f'{w}: phases {phs[0]}-{phs[-1]}')
    for a, b in [('vetcd', 'etcd'), ('vetcd2', 'etcd'), ('vetcd3', 'etcd'), ('vetcd', 'vetcd2'), ('vetcd3', 'vetcd2'), ('vetcd', 'vetcd3')]:
        r = [rows[(p, w)] for p in phs if a in rows[(p, w)] and b in rows[(p, w)]]
        if not r: continue
        med = lambda f: statistics.median(x[a][f] / x[b][f] for x in r)
        print(f'  {a}/{b}: QPS {med("qps"):.2f}  p50 {med("p50"):.2f}  p99 {med("p99"):.2f}  CPU/10k {med("cpu"):.2f}'
              '   (per-phase CPU ratios ' + ', '.join('%.2f' % (x[a]['cpu'] / x[b]['cpu']) for x in r) + ')')
    for k in ['etcd', 'vetcd', 'vetcd2', 'vetcd3']:
        c = counts.get((w, k))
        if c:
            keys = c[0].keys()
            print(f'  {k} per request (mean): ' + ' '.join(f'{x} {statistics.mean(d[x] for d in c):.3f}' for x in keys))
        r = [rows[(p, w)][k]['cpu'] for p in phs if k in rows[(p, w)]]
        if r: print(f'  {k} CPU s/10k median {statistics.median(r):.2f}')
