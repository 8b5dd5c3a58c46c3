#!/usr/bin/env python3
# jitsum.py RUN.txt...: for each compare run (RUN.txt + RUN.jit), the vetcd members' CPU and JIT CPU
# (C1+C2 compiler threads) at the end of the cold puts, of the warm-up, and at the last sample; RSS/PSS.
import re, sys, collections
for txt in sys.argv[1:]:
    jit = txt[:-4] + '.jit'
    pids = []; t_cold = t_warm = None; ratios = []
    lines = open(txt).read().splitlines()
    rows = {}
    for l in lines:
        m = re.search(r'started vetcd \(pid ([\d,]+)', l)
        if m: pids = m.group(1).split(',')
        m = re.match(r'([\d.]+) +(\S+) +(cold put|warm-up put|\S+ \S+) .*?(etcd|vetcd) +\S+ +([\d.]+) QPS .*CPU ([\d.]+) s/10k', l)
        if m:
            t, tag, kind, sysn, qps, cpu = m.groups()
            key = l.split(None, 1)[1].split('  ')[0].strip()
            rows.setdefault(key, {})[sysn] = (float(qps), float(cpu))
            if sysn == 'vetcd' and 'cold put' in l: t_cold = float(t)
            if sysn == 'vetcd' and 'warm-up put' in l: t_warm = float(t)
    samples = collections.defaultdict(list)
    for l in open(jit):
        f = l.split()
        if f[1] in pids: samples[f[1]].append((float(f[0]), float(f[2]), float(f[3]), float(f[4]), int(f[5]), int(f[6])))
    def at(t):
        tot = c1 = c2 = 0.0
        for p in pids:
            s = [x for x in samples[p] if t is None or x[0] <= t]
            if s: tot += s[-1][1]; c1 += s[-1][2]; c2 += s[-1][3]
        return tot, c1, c2
    print(f'== {txt}: vetcd pids {",".join(pids)}')
    for k, v in rows.items():
        if 'etcd' in v and 'vetcd' in v:
            print(f'  {k:36s} QPS {v["vetcd"][0]/v["etcd"][0]:.2f}x  CPU/10k {v["vetcd"][1]:.2f} vs {v["etcd"][1]:.2f} = {v["vetcd"][1]/v["etcd"][1]:.2f}x')
    for name, t in (('after cold 20k', t_cold), ('after warm-up', t_warm), ('last sample', None)):
        tot, c1, c2 = at(t)
        print(f'  {name:16s} all members: CPU {tot:7.2f} s, JIT {c1+c2:6.2f} s (C1 {c1:.2f}, C2 {c2:.2f})')
    last = [samples[p][-1] for p in pids if samples[p]]
    print('  RSS at last sample (MiB): ' + ', '.join(f'{x[4]/1024:.0f}' for x in last) + '; PSS: ' + ', '.join(f'{x[5]/1024:.0f}' for x in last))
