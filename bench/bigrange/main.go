// Command bigrange loads and reads big ranges with Go's clientv3, for bench/compare --big-range.
//
//	bigrange load  -endpoints E -keys N -value-size S   # N keys "big/%08d", S-byte values
//	bigrange get   -endpoints E [-parallel P] [-sort value] [-count-only]
//
// get prints one line: seconds, kvs received, bytes of kvs received, count.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sync"
	"time"

	"go.etcd.io/etcd/clientv3"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bigrange load|get [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	endpoints := fs.String("endpoints", "127.0.0.1:2379", "endpoint")
	keys := fs.Int("keys", 100000, "keys to load")
	valueSize := fs.Int("value-size", 4096, "value size")
	conc := fs.Int("concurrency", 16, "load concurrency")
	parallel := fs.Int("parallel", 1, "ranges at once")
	sortBy := fs.String("sort", "", "sort target: value, create, mod, key-desc")
	countOnly := fs.Bool("count-only", false, "count only")
	prefix := fs.String("prefix", "big/", "key prefix")
	timeout := fs.Duration("timeout", 10*time.Minute, "overall timeout")
	fs.Parse(os.Args[2:])

	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{*endpoints}, DialTimeout: 5 * time.Second,
		MaxCallRecvMsgSize: 1 << 31 - 1})
	if err != nil {
		fail(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	switch os.Args[1] {
	case "load":
		load(ctx, cli, *prefix, *keys, *valueSize, *conc)
	case "get":
		opts := []clientv3.OpOption{clientv3.WithPrefix()}
		switch *sortBy {
		case "value":
			opts = append(opts, clientv3.WithSort(clientv3.SortByValue, clientv3.SortDescend))
		case "create":
			opts = append(opts, clientv3.WithSort(clientv3.SortByCreateRevision, clientv3.SortDescend))
		case "mod":
			opts = append(opts, clientv3.WithSort(clientv3.SortByModRevision, clientv3.SortDescend))
		case "key-desc":
			opts = append(opts, clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend))
		}
		if *countOnly {
			opts = append(opts, clientv3.WithCountOnly())
		}
		get(ctx, cli, *prefix, *parallel, opts)
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
}

func load(ctx context.Context, cli *clientv3.Client, prefix string, n, size, conc int) {
	var wg sync.WaitGroup
	next := make(chan int, conc)
	errs := make(chan error, conc)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := make([]byte, size)
			for i := range next {
				// distinct, printable values, the same for the same key on every server
				rand.New(rand.NewSource(int64(i))).Read(v)
				for j := range v {
					v[j] = 'a' + v[j]%26
				}
				if _, err := cli.Put(ctx, fmt.Sprintf("%s%08d", prefix, i), string(v)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case err := <-errs:
			fail(err)
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		fail(err)
	default:
	}
}

func get(ctx context.Context, cli *clientv3.Client, prefix string, parallel int, opts []clientv3.OpOption) {
	start := time.Now()
	var wg sync.WaitGroup
	type res struct {
		kvs, bytes, count int64
		err               error
	}
	out := make([]res, parallel)
	for p := 0; p < parallel; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			resp, err := cli.Get(ctx, prefix, opts...)
			if err != nil {
				out[p].err = err
				return
			}
			for _, kv := range resp.Kvs {
				out[p].bytes += int64(len(kv.Key) + len(kv.Value))
			}
			out[p].kvs = int64(len(resp.Kvs))
			out[p].count = resp.Count
		}(p)
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	for _, r := range out {
		if r.err != nil {
			fail(r.err)
		}
		if r.kvs != out[0].kvs || r.bytes != out[0].bytes || r.count != out[0].count {
			fail(fmt.Errorf("parallel answers differ: %+v vs %+v", r, out[0]))
		}
	}
	fmt.Printf("%.3f %d %d %d\n", secs, out[0].kvs, out[0].bytes, out[0].count)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bigrange:", err)
	os.Exit(1)
}
