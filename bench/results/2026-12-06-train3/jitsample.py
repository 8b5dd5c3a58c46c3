#!/usr/bin/env python3
# jitsample.py MATCH OUT SECONDS: every second, for each process whose cmdline contains MATCH, append
# "t pid total_cpu_s c1_s c2_s rss_kib pss_kib" (ticks -> s) to OUT; stops after SECONDS.
import os, sys, time
match, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
hz = os.sysconf('SC_CLK_TCK'); end = time.time() + secs
def stat(path):
    s = open(path).read(); comm = s[s.index('(')+1:s.rindex(')')]; f = s[s.rindex(')')+2:].split()
    return comm, (int(f[11]) + int(f[12])) / hz
with open(out, 'a') as o:
    while time.time() < end:
        for pid in os.listdir('/proc'):
            if not pid.isdigit(): continue
            try:
                cl = open(f'/proc/{pid}/cmdline').read()
                if match not in cl or 'vetcd-bench' in cl: continue
                _, tot = stat(f'/proc/{pid}/stat'); c1 = c2 = 0.0
                for t in os.listdir(f'/proc/{pid}/task'):
                    comm, cpu = stat(f'/proc/{pid}/task/{t}/stat')
                    if comm.startswith('C1 Compiler'): c1 += cpu
                    elif comm.startswith('C2 Compiler'): c2 += cpu
                rss = pss = 0
                for line in open(f'/proc/{pid}/smaps_rollup'):
                    if line.startswith('Rss:'): rss = int(line.split()[1])
                    elif line.startswith('Pss:'): pss = int(line.split()[1])
                o.write(f'{time.time():.1f} {pid} {tot:.2f} {c1:.2f} {c2:.2f} {rss} {pss}\n')
            except (OSError, ValueError): pass
        o.flush(); time.sleep(1)
