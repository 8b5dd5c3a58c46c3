import sys, os, re, glob
# per start: first/last "starting member" ms, leader-elected ms & term, candidacies, all answered (from run file)
for d in sorted(glob.glob(sys.argv[1] + "/*vetcd*")):
    tl = open(d + "/timeline.txt").read().splitlines()
    def ms(l): return int(l.split()[0])
    starts = [ms(l) for l in tl if "starting member" in l]
    peers = [ms(l) for l in tl if "serving peer traffic" in l]
    lead = [(ms(l), re.search(r"at term (\d+)", l).group(1)) for l in tl if "became leader" in l]
    cand = [l for l in tl if "became candidate" in l]
    ready = [ms(l) for l in tl if "ready to serve client requests" in l]
    print(f"{os.path.basename(d):10s} starting-member {min(starts)}..{max(starts)}  peer-listener {min(peers) if peers else '-'}..{max(peers) if peers else '-'}"
          f"  leader {lead}  candidacies {len(cand)}  ready-last {max(ready) if ready else '-'}  lastStart->leader {lead[-1][0]-max(starts) if lead else '-'}")
