// clientv3load is the Go side of bench/compare: the same workloads as the Java load generator
// (and as etcd's tools/benchmark `put`, `txn-put`, `range`), driven through etcd's official Go
// client (clientv3 from Debian's golang-etcd-server-dev, GOPATH mode, no module proxy), so the
// comparison is made with the client etcd users actually run.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o clientv3load ./bench/clientv3load
//	clientv3load -endpoints 127.0.0.1:2379 -workload put -conns 10 -clients 100 -total 20000
//
// Workloads: put, txn-put (one put per Txn), range-l / range-s (one key, linearizable /
// serializable; the key is written first), count-only / keys-only (a prefix range over
// -prefix, e.g. keys written by `vetcd-bench fill`), list-page (Kubernetes' paginated list: a prefix
// range with -limit, 500 by default, which also carries count and more), fill (puts -total keys
// -prefix + 0..total-1 in order, values of -val-size up to -val-max bytes; run it again to give
// every key another version). Keys are the Java generator's: an 8-digit
// zero-padded number in -key-space, values -val-size bytes. One JSON line on stdout:
// counts, wall seconds, and the latency histogram as [microseconds, count] pairs (values
// rounded to 3 significant digits) that the Java side merges into an HdrHistogram.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
)

type result struct {
	Workload string     `json:"workload"`
	Total    int64      `json:"total"`
	Ok       int64      `json:"ok"`
	Errors   int64      `json:"errors"`
	Seconds  float64    `json:"seconds"`
	QPS      float64    `json:"qps"`
	P50ms    float64    `json:"p50_ms"`
	P99ms    float64    `json:"p99_ms"`
	FirstErr string     `json:"first_error,omitempty"`
	Hist     [][2]int64 `json:"hist_us"`
}

// round3 keeps 3 significant digits, so the histogram stays small and HdrHistogram-exact enough.
func round3(us int64) int64 {
	if us < 1000 {
		if us < 1 {
			return 1
		}
		return us
	}
	p := int64(math.Pow10(int(math.Floor(math.Log10(float64(us)))) - 2))
	return us / p * p
}

func key(prefix string, i int64, size int) string {
	d := fmt.Sprintf("%0*d", size, i)
	return prefix + d[len(d)-size:]
}

func prefixOpts(serializable bool, o clientv3.OpOption) []clientv3.OpOption {
	opts := []clientv3.OpOption{clientv3.WithPrefix(), o}
	if serializable {
		opts = append(opts, clientv3.WithSerializable())
	}
	return opts
}

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated endpoints; connections are spread over them")
	workload := flag.String("workload", "put", "put | txn-put | range-l | range-s | count-only | keys-only | list-page | fill")
	conns := flag.Int("conns", 10, "client connections (clientv3.Client instances)")
	clients := flag.Int("clients", 100, "requests in flight")
	total := flag.Int64("total", 20000, "requests")
	maxSeconds := flag.Float64("max-seconds", 10, "stop after this long even if -total is not reached")
	valSize := flag.Int("val-size", 256, "value bytes")
	keySize := flag.Int("key-size", 8, "key digits")
	keySpace := flag.Int64("key-space", 100000, "distinct keys")
	prefix := flag.String("prefix", "fill/", "prefix read by count-only and keys-only")
	serializable := flag.Bool("serializable", false, "count-only and keys-only ranges are serializable")
	limit := flag.Int64("limit", 500, "list-page: keys per page")
	valMax := flag.Int("val-max", 0, "fill: values of -val-size up to this many bytes (0: all -val-size)")
	flag.Parse()

	eps := strings.Split(*endpoints, ",")
	cs := make([]*clientv3.Client, *conns)
	for i := range cs {
		// one endpoint per connection, round robin, as etcd's benchmark tool does with several endpoints
		c, err := clientv3.New(clientv3.Config{Endpoints: []string{eps[i%len(eps)]}, DialTimeout: 10 * time.Second})
		if err != nil {
			fmt.Fprintln(os.Stderr, "connect:", err)
			os.Exit(1)
		}
		cs[i] = c
		defer c.Close()
	}
	value := strings.Repeat("v", *valSize)
	rangeKey := key("range-bench/", 0, *keySize)
	if strings.HasPrefix(*workload, "range-") {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := cs[0].Put(ctx, rangeKey, value)
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "preload:", err)
			os.Exit(1)
		}
	}

	var next, errs, ok int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, *clients)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(time.Duration(*maxSeconds * float64(time.Second)))
	for w := 0; w < *clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := cs[w%len(cs)]
			r := rand.New(rand.NewSource(int64(w) + 1))
			for {
				n := atomic.AddInt64(&next, 1)
				if n > *total || !time.Now().Before(deadline) {
					break
				}
				k := key("", r.Int63n(*keySpace), *keySize)
				t0 := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				var err error
				switch *workload {
				case "put":
					_, err = c.Put(ctx, k, value)
				case "txn-put":
					_, err = c.Txn(ctx).Then(clientv3.OpPut(k, value)).Commit()
				case "range-l":
					_, err = c.Get(ctx, rangeKey)
				case "range-s":
					_, err = c.Get(ctx, rangeKey, clientv3.WithSerializable())
				case "count-only":
					_, err = c.Get(ctx, *prefix, prefixOpts(*serializable, clientv3.WithCountOnly())...)
				case "list-page":
					_, err = c.Get(ctx, *prefix, prefixOpts(*serializable, clientv3.WithLimit(*limit))...)
				case "fill":
					size := *valSize
					if *valMax > size {
						size += r.Intn(*valMax - size + 1)
					}
					_, err = c.Put(ctx, key(*prefix, n-1, *keySize), strings.Repeat("v", size))
				case "keys-only":
					_, err = c.Get(ctx, *prefix, prefixOpts(*serializable, clientv3.WithKeysOnly())...)
				default:
					err = fmt.Errorf("unknown workload %q", *workload)
				}
				cancel()
				if err != nil {
					atomic.AddInt64(&errs, 1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				atomic.AddInt64(&ok, 1)
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()

	counts := map[int64]int64{}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
		for _, d := range l {
			counts[round3(d.Microseconds())]++
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000
	}
	res := result{Workload: *workload, Total: ok + errs, Ok: ok, Errors: errs, Seconds: elapsed,
		QPS: float64(ok) / elapsed, P50ms: pct(0.50), P99ms: pct(0.99)}
	for us, n := range counts {
		res.Hist = append(res.Hist, [2]int64{us, n})
	}
	sort.Slice(res.Hist, func(i, j int) bool { return res.Hist[i][0] < res.Hist[j][0] })
	if v := firstErr.Load(); v != nil {
		res.FirstErr = v.(string)
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
}
