# fsync-modes.py MODE...: 300-byte appends + fdatasync into a 64 MiB file prepared as sparse (one byte at the end), fallocate, zeros (written) or append (growing); p50/p90/p99. Run from the repository root.
import os, time, sys
def run(mode, n=1500):
    p = f"target/fsync-{mode}.bin"
    fd = os.open(p, os.O_CREAT|os.O_RDWR|os.O_TRUNC)
    size = 64<<20
    if mode == "sparse":
        os.pwrite(fd, b"\0", size-1)
    elif mode == "fallocate":
        os.posix_fallocate(fd, 0, size)
    elif mode == "zeros":
        buf = b"\0"*(1<<20)
        for i in range(64): os.pwrite(fd, buf, i<<20)
    elif mode == "append":
        pass
    os.fsync(fd)
    rec = b"x"*300
    ts = []
    pos = 0
    for i in range(n):
        os.pwrite(fd, rec, pos); pos += len(rec)
        t = time.perf_counter_ns(); os.fdatasync(fd); ts.append(time.perf_counter_ns()-t)
    os.close(fd); os.unlink(p)
    ts.sort()
    print(mode, "p50 %.3f ms p90 %.3f p99 %.3f" % (ts[n//2]/1e6, ts[n*9//10]/1e6, ts[n*99//100]/1e6))
for r in range(3):
    for m in sys.argv[1:]: run(m)
