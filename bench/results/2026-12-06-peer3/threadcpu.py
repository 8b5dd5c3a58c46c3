#!/usr/bin/env python3
"""Samples per-thread CPU ticks of java processes whose cmdline contains MARK, every INTERVAL s, to OUT (jsonl)."""
import os, sys, time, json, re
mark, out, interval, limit = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
t_end = time.time() + limit
with open(out, 'a') as f:
    while time.time() < t_end:
        snap = {'t': time.time(), 'procs': {}}
        for pid in os.listdir('/proc'):
            if not pid.isdigit(): continue
            try:
                cmd = open(f'/proc/{pid}/cmdline','rb').read().replace(b'\0', b' ').decode(errors='replace')
            except Exception: continue
            if mark not in cmd or 'java' not in cmd or 'vetcd-bench' in cmd: continue
            m = re.search(r'--name[ =](\S+)', cmd)
            name = m.group(1) if m else pid
            threads = {}
            try:
                for tid in os.listdir(f'/proc/{pid}/task'):
                    try:
                        s = open(f'/proc/{pid}/task/{tid}/stat').read()
                    except Exception: continue
                    comm = s[s.index('(')+1:s.rindex(')')]
                    fields = s[s.rindex(')')+2:].split()
                    key = re.sub(r'\d+', '#', comm)
                    threads[key] = threads.get(key, 0) + int(fields[11])
                    threads[key + ' (sys)'] = threads.get(key + ' (sys)', 0) + int(fields[12])
            except Exception: continue
            snap['procs'][pid] = {'name': name, 'threads': threads}
        f.write(json.dumps(snap) + '\n'); f.flush()
        time.sleep(interval)
