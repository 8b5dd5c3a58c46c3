// authload drives etcd's v3 API through etcd's own Go client (clientv3, Debian's
// golang-etcd-server-dev, GOPATH mode) to measure what auth costs: puts and ranges as a
// non-root user with a simple token, Authenticate calls per second, and put latency while
// a storm of wrong-password logins runs beside it. Same client, same flags, for etcd and vetcd.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o authload main.go
//	authload -endpoints 127.0.0.1:2379 -workload put -user bench:pw -clients 50 -total 20000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
	pb "go.etcd.io/etcd/etcdserver/etcdserverpb"
)

type result struct {
	Workload string  `json:"workload"`
	Total    int64   `json:"total"`
	Errors   int64   `json:"errors"`
	Seconds  float64 `json:"seconds"`
	QPS      float64 `json:"qps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Storm    int64   `json:"bad_logins,omitempty"`
	FirstErr string  `json:"first_error,omitempty"`
}

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated endpoints")
	workload := flag.String("workload", "put", "put | range | authenticate")
	user := flag.String("user", "", "name:password (empty: no auth)")
	conns := flag.Int("conns", 10, "client connections")
	clients := flag.Int("clients", 50, "requests in flight")
	total := flag.Int64("total", 10000, "requests")
	valSize := flag.Int("val-size", 256, "value bytes")
	keySpace := flag.Int("key-space", 10000, "distinct keys (under bench/)")
	storm := flag.Int("bad-logins", 0, "goroutines doing wrong-password Authenticate calls during the run")
	flag.Parse()

	eps := strings.Split(*endpoints, ",")
	var name, pass string
	if *user != "" {
		parts := strings.SplitN(*user, ":", 2)
		name, pass = parts[0], parts[1]
	}
	cs := make([]*clientv3.Client, *conns)
	for i := range cs {
		c, err := clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: 5 * time.Second, Username: name, Password: pass})
		if err != nil {
			fmt.Fprintln(os.Stderr, "connect:", err)
			os.Exit(1)
		}
		cs[i] = c
		defer c.Close()
	}
	value := strings.Repeat("v", *valSize)
	if *workload == "range" { // keys to read
		for i := 0; i < *keySpace; i += 100 {
			if _, err := cs[0].Put(context.Background(), fmt.Sprintf("bench/%08d", i), value); err != nil {
				fmt.Fprintln(os.Stderr, "preload:", err)
				os.Exit(1)
			}
		}
	}

	stop := make(chan struct{})
	var badLogins int64
	var stormWg sync.WaitGroup
	for i := 0; i < *storm; i++ {
		stormWg.Add(1)
		go func() {
			defer stormWg.Done()
			ac := pb.NewAuthClient(cs[0].ActiveConnection())
			for {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				ac.Authenticate(ctx, &pb.AuthenticateRequest{Name: name, Password: "wrong-password"})
				cancel()
				atomic.AddInt64(&badLogins, 1)
			}
		}()
	}

	var next, errs int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, *clients)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := cs[w%len(cs)]
			ac := pb.NewAuthClient(c.ActiveConnection())
			r := rand.New(rand.NewSource(int64(w)))
			for atomic.AddInt64(&next, 1) <= *total {
				key := fmt.Sprintf("bench/%08d", r.Intn(*keySpace))
				t0 := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				var err error
				switch *workload {
				case "put":
					_, err = c.Put(ctx, key, value)
				case "range":
					_, err = c.Get(ctx, key)
				case "authenticate":
					_, err = ac.Authenticate(ctx, &pb.AuthenticateRequest{Name: name, Password: pass})
				default:
					err = fmt.Errorf("unknown workload %q", *workload)
				}
				cancel()
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil {
					atomic.AddInt64(&errs, 1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	close(stop)
	stormWg.Wait()

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	res := result{Workload: *workload, Total: int64(len(all)), Errors: errs, Seconds: elapsed,
		QPS: float64(len(all)) / elapsed, P50ms: pct(0.50), P99ms: pct(0.99), Storm: badLogins}
	if v := firstErr.Load(); v != nil {
		res.FirstErr = v.(string)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}
