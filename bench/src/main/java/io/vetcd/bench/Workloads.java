package io.vetcd.bench;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.streams.WriteStream;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseKeepAliveRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.mvcc.Event;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The workloads, modeled on etcd's benchmark tool (tools/benchmark): same names and knobs, our own code. */
final class Workloads {
    private Workloads() {}

    /** Options every workload has, and the run-print-JSON frame. */
    abstract static class Base implements Callable<Integer> {
        @Option(names = "--endpoints", split = ",", defaultValue = "127.0.0.1:2379", description = "host:port[,host:port...] (default: ${DEFAULT-VALUE})")
        List<String> endpoints = new ArrayList<>(List.of("127.0.0.1:2379"));
        @Option(names = "--conns", defaultValue = "1", description = "TCP (HTTP/2) connections (default: ${DEFAULT-VALUE})")
        int conns = 1;
        @Option(names = "--clients", defaultValue = "1", description = "concurrent in-flight requests, spread over the connections (default: ${DEFAULT-VALUE})")
        int clients = 1;
        @Option(names = "--total", defaultValue = "10000", description = "requests in all (default: ${DEFAULT-VALUE})")
        long total = 10000;
        @Option(names = "--max-seconds", defaultValue = "60", description = "stop after this long even if --total is not reached (default: ${DEFAULT-VALUE})")
        double maxSeconds = 60;
        @Option(names = "--client-threads", defaultValue = "2", description = "client event loops (default: ${DEFAULT-VALUE})")
        int clientThreads = 2;
        @Option(names = "--quiet", description = "print only the JSON line")
        boolean quiet;

        abstract String name();

        /** Runs against already connected connections. */
        abstract Result run(Conns c);

        /** Opens the connections, runs, closes; for the CLI and for compare. */
        Result execute(PrintStream log) {
            try (Conns c = Conns.open(endpoints, conns, clientThreads)) {
                c.connectAll();
                Result r = run(c);
                r.extra.put("conns_opened", c.opened.get());
                r.extra.put("server_max_concurrent_streams", c.serverMaxStreams.get());
                if (log != null) {
                    log.println(c.describe());
                    r.print(log);
                }
                return r;
            }
        }

        @Override
        public Integer call() {
            Result r;
            if (quiet) {
                r = execute(null);
                System.out.println(r.json());
            } else {
                System.out.printf("%s: endpoints=%s conns=%d clients=%d total=%d%n", name(), endpoints, conns, clients, total);
                r = execute(System.out);
            }
            return switch (r.status()) {
                case "OK" -> 0;
                case "UNIMPLEMENTED" -> 3;
                default -> 1;
            };
        }
    }

    /** Puts {@code keys} keys (index 0..keys-1, sequential) quickly before a read workload. */
    static void preload(Conns c, String prefix, long keys, int keySize, ByteString value) {
        if (keys <= 0) return;
        Result r = Driver.run("preload", c, Math.min(64, (int) keys), keys, 600, List.of("put"),
            (client, seq, kind) -> c.kv(client).put(PutRequest.newBuilder().setKey(Keys.key(prefix, seq, keySize)).setValue(value).build()));
        if (r.errors.total() > 0) throw new IllegalStateException("preload failed: " + r.errors.counts);
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Put keys (one Put per request).")
    static final class Put extends Base {
        @Option(names = "--key-size", defaultValue = "8") int keySize = 8;
        @Option(names = "--val-size", defaultValue = "8") int valSize = 8;
        @Option(names = "--key-space-size", defaultValue = "1", description = "distinct keys (default: ${DEFAULT-VALUE})") long keySpaceSize = 1;
        @Option(names = "--sequential-keys", description = "key = request number mod key space, instead of random") boolean sequentialKeys;
        @Option(names = "--prefix", defaultValue = "") String prefix = "";

        String name() { return "put"; }

        Result run(Conns c) {
            ByteString v = Keys.value(valSize, 1);
            return Driver.run(name(), c, clients, total, maxSeconds, List.of("put"), (client, seq, kind) -> {
                long k = sequentialKeys ? seq % keySpaceSize : ThreadLocalRandom.current().nextLong(keySpaceSize);
                return c.kv(client).put(PutRequest.newBuilder().setKey(Keys.key(prefix, k, keySize)).setValue(v).build());
            });
        }
    }

    @Command(name = "range", mixinStandardHelpOptions = true, description = "Range requests over --keys existing keys (written first).")
    static final class Range extends Base {
        @Option(names = "--consistency", defaultValue = "l", description = "l (linearizable) or s (serializable) (default: ${DEFAULT-VALUE})") String consistency = "l";
        @Option(names = "--keys", defaultValue = "1", description = "keys returned by each range (default: ${DEFAULT-VALUE})") int keys = 1;
        @Option(names = "--key-size", defaultValue = "8") int keySize = 8;
        @Option(names = "--val-size", defaultValue = "8") int valSize = 8;
        @Option(names = "--prefix", defaultValue = "range-bench/") String prefix = "range-bench/";

        String name() { return "range-" + consistency; }

        Result run(Conns c) {
            if (!consistency.equals("l") && !consistency.equals("s")) throw new IllegalArgumentException("--consistency must be l or s");
            preload(c, prefix, keys, keySize, Keys.value(valSize, 2));
            RangeRequest.Builder b = RangeRequest.newBuilder().setSerializable(consistency.equals("s"));
            if (keys == 1) b.setKey(Keys.key(prefix, 0, keySize));
            else b.setKey(ByteString.copyFromUtf8(prefix)).setRangeEnd(Keys.prefixEnd(ByteString.copyFromUtf8(prefix)));
            RangeRequest req = b.build();
            return Driver.run(name(), c, clients, total, maxSeconds, List.of("range"), (client, seq, kind) ->
                c.kv(client).range(req).map(resp -> {
                    if (resp.getKvsCount() != keys) throw new IllegalStateException("range returned " + resp.getKvsCount() + " keys, expected " + keys);
                    return resp;
                }));
        }
    }

    @Command(name = "txn-put", mixinStandardHelpOptions = true, description = "Txn requests with --txn-ops puts each (no compares).")
    static final class TxnPut extends Base {
        @Option(names = "--key-size", defaultValue = "8") int keySize = 8;
        @Option(names = "--val-size", defaultValue = "8") int valSize = 8;
        @Option(names = "--key-space-size", defaultValue = "1") long keySpaceSize = 1;
        @Option(names = "--txn-ops", defaultValue = "1") int txnOps = 1;
        @Option(names = "--prefix", defaultValue = "") String prefix = "";

        String name() { return "txn-put"; }

        Result run(Conns c) {
            ByteString v = Keys.value(valSize, 3);
            return Driver.run(name(), c, clients, total, maxSeconds, List.of("txn"), (client, seq, kind) -> {
                TxnRequest.Builder t = TxnRequest.newBuilder();
                java.util.HashSet<Long> used = new java.util.HashSet<>();
                for (int i = 0; i < txnOps; i++) {
                    long k = ThreadLocalRandom.current().nextLong(keySpaceSize);
                    if (keySpaceSize >= txnOps) while (!used.add(k)) k = ThreadLocalRandom.current().nextLong(keySpaceSize);
                    t.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(Keys.key(prefix, k, keySize)).setValue(v)));
                }
                return c.kv(client).txn(t.build());
            });
        }
    }

    @Command(name = "mixed", mixinStandardHelpOptions = true, description = "Random reads and writes over a key space (keys written first).")
    static final class Mixed extends Base {
        @Option(names = "--read-ratio", defaultValue = "0.9", description = "fraction of requests that are ranges (default: ${DEFAULT-VALUE})") double readRatio = 0.9;
        @Option(names = "--consistency", defaultValue = "l") String consistency = "l";
        @Option(names = "--key-size", defaultValue = "8") int keySize = 8;
        @Option(names = "--val-size", defaultValue = "8") int valSize = 8;
        @Option(names = "--key-space-size", defaultValue = "1000") long keySpaceSize = 1000;
        @Option(names = "--prefix", defaultValue = "mixed-bench/") String prefix = "mixed-bench/";

        String name() { return "mixed"; }

        Result run(Conns c) {
            ByteString v = Keys.value(valSize, 4);
            preload(c, prefix, keySpaceSize, keySize, v);
            boolean serializable = consistency.equals("s");
            return Driver.run(name(), c, clients, total, maxSeconds, List.of("range", "put"), new Driver.Op() {
                public int kind(int client, long seq) { return ThreadLocalRandom.current().nextDouble() < readRatio ? 0 : 1; }

                public Future<?> issue(int client, long seq, int kind) {
                    ByteString k = Keys.key(prefix, ThreadLocalRandom.current().nextLong(keySpaceSize), keySize);
                    if (kind == 0) return c.kv(client).range(RangeRequest.newBuilder().setKey(k).setSerializable(serializable).build());
                    return c.kv(client).put(PutRequest.newBuilder().setKey(k).setValue(v).build());
                }
            });
        }
    }

    @Command(name = "fill", mixinStandardHelpOptions = true, description = "Write --keys distinct keys, --batch puts per Txn (for memory/restart measurements).")
    static final class Fill extends Base {
        @Option(names = "--keys", defaultValue = "1000000") long keys = 1_000_000;
        @Option(names = "--key-size", defaultValue = "16") int keySize = 16;
        @Option(names = "--val-size", defaultValue = "256") int valSize = 256;
        @Option(names = "--batch", defaultValue = "100", description = "puts per Txn; etcd's --max-txn-ops default is 128 (default: ${DEFAULT-VALUE})") int batch = 100;
        @Option(names = "--prefix", defaultValue = "fill/") String prefix = "fill/";

        { clients = 16; conns = 4; maxSeconds = 600; }

        String name() { return "fill"; }

        Result run(Conns c) {
            ByteString v = Keys.value(valSize, 5);
            long txns = (keys + batch - 1) / batch;
            Result r = Driver.run(name(), c, clients, txns, maxSeconds, List.of("txn"), (client, seq, kind) -> {
                TxnRequest.Builder t = TxnRequest.newBuilder();
                for (long k = seq * batch; k < Math.min(keys, (seq + 1) * batch); k++) {
                    t.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(Keys.key(prefix, k, keySize)).setValue(v)));
                }
                return c.kv(client).txn(t.build());
            });
            r.extra.put("keys_written", Math.min(keys, r.ok * batch));
            return r;
        }
    }

    @Command(name = "lease-keepalive", mixinStandardHelpOptions = true,
        description = "Each client grants a lease, opens a LeaseKeepAlive stream and sends keep-alives one at a time.")
    static final class LeaseKeepalive extends Base {
        @Option(names = "--ttl", defaultValue = "600") long ttl = 600;

        String name() { return "lease-keepalive"; }

        private static final class Stream {
            long leaseId;
            WriteStream<LeaseKeepAliveRequest> out;
            Promise<Void> pending;
            Throwable broken;

            void fail(Throwable t) {
                broken = t;
                Promise<Void> p = pending;
                pending = null;
                if (p != null) p.tryFail(t);
            }
        }

        Result run(Conns c) {
            Stream[] streams = new Stream[clients];
            return Driver.run(name(), c, clients, total, maxSeconds, List.of("keepalive"), (client, seq, kind) -> {
                Stream s = streams[client];
                if (s == null) return open(c, client, streams).compose(st -> send(st));
                if (s.broken != null) return Future.failedFuture(s.broken);
                return send(s);
            });
        }

        private Future<Stream> open(Conns c, int client, Stream[] streams) {
            return c.lease(client).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttl).build()).compose(g -> {
                Stream s = new Stream();
                s.leaseId = g.getID();
                Promise<Stream> ready = Promise.promise();
                c.lease(client).leaseKeepAlive((ws, err) -> {
                    if (err != null) ready.tryFail(err);
                    else {
                        s.out = ws;
                        streams[client] = s;
                        ready.tryComplete(s);
                    }
                }).onSuccess(rs -> {
                    rs.handler(resp -> {
                        Promise<Void> p = s.pending;
                        s.pending = null;
                        if (p != null) {
                            if (resp.getTTL() <= 0) p.tryFail(new IllegalStateException("lease not found"));
                            else p.tryComplete();
                        }
                    });
                    rs.exceptionHandler(s::fail);
                    rs.endHandler(v -> s.fail(new IllegalStateException("keepalive stream ended")));
                }).onFailure(t -> {
                    ready.tryFail(t);
                    s.fail(t);
                });
                return ready.future();
            });
        }

        private Future<Void> send(Stream s) {
            Promise<Void> p = Promise.promise();
            s.pending = p;
            s.out.write(LeaseKeepAliveRequest.newBuilder().setID(s.leaseId).build()).onFailure(s::fail);
            return p.future();
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Latency from a put to its event at every watcher: --streams x --watchers-per-stream watchers of one key, --put-total puts at --put-rate per second.")
    static final class Watch extends Base {
        @Option(names = "--streams", defaultValue = "10") int streams = 10;
        @Option(names = "--watchers-per-stream", defaultValue = "10") int watchersPerStream = 10;
        @Option(names = "--put-total", defaultValue = "1000") int putTotal = 1000;
        @Option(names = "--put-rate", defaultValue = "200", description = "puts per second (default: ${DEFAULT-VALUE})") int putRate = 200;
        @Option(names = "--val-size", defaultValue = "32") int valSize = 32;
        @Option(names = "--key", defaultValue = "watch-bench/key") String key = "watch-bench/key";

        { conns = 10; }

        String name() { return "watch"; }

        Result run(Conns c) {
            Result r = new Result(name(), String.join(",", c.endpoints));
            long expected = (long) putTotal * streams * watchersPerStream;
            r.total = expected;
            long[] sentAt = new long[putTotal];
            AtomicLong received = new AtomicLong();
            AtomicLong lastEvent = new AtomicLong();
            CountDownLatch created = new CountDownLatch(streams * watchersPerStream);
            CountDownLatch all = new CountDownLatch(1);
            ByteString k = ByteString.copyFromUtf8(key);
            List<Throwable> streamErrors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int s = 0; s < streams; s++) {
                int si = s;
                c.context(s).runOnContext(v -> c.watch(si).watch((ws, err) -> {
                    if (err != null) return;
                    for (int w = 0; w < watchersPerStream; w++) {
                        ws.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(k)).build());
                    }
                }).onSuccess(rs -> {
                    rs.handler(resp -> {
                        if (resp.getCreated()) created.countDown();
                        if (resp.getCanceled()) streamErrors.add(new IllegalStateException("watch canceled: " + resp.getCancelReason()));
                        long now = System.nanoTime();
                        for (Event e : resp.getEventsList()) {
                            ByteString val = e.getKv().getValue();
                            if (val.size() < 8) continue;
                            int seq = (int) val.substring(0, 8).asReadOnlyByteBuffer().getLong();
                            if (seq < 0 || seq >= putTotal || sentAt[seq] == 0) continue;
                            synchronized (r) {
                                Result.record(r.hist, now - sentAt[seq]);
                            }
                            lastEvent.accumulateAndGet(now, Math::max);
                            if (received.incrementAndGet() == expected) all.countDown();
                        }
                    });
                    rs.exceptionHandler(streamErrors::add);
                }).onFailure(t -> {
                    streamErrors.add(t);
                    for (int w = 0; w < watchersPerStream; w++) created.countDown();
                }));
            }
            try {
                created.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!streamErrors.isEmpty()) {
                streamErrors.forEach(r.errors::add);
                r.extra.put("note", "watch streams failed; no puts sent");
                return r;
            }
            // Puts at a fixed rate on a connection of their own (not shared with the watch streams); each
            // value carries its sequence number. (Sharing them with the watch streams made a few puts fail
            // with "Stream was closed" against etcd although the server applied them.)
            Conns pc = Conns.open(c.endpoints, 1, 1);
            pc.connectAll();
            Errors putErrors = new Errors();
            ByteString pad = Keys.value(Math.max(0, valSize - 8), 6);
            long start = System.nanoTime();
            AtomicLong sent = new AtomicLong();
            CountDownLatch putsDone = new CountDownLatch(1);
            CountDownLatch putsAnswered = new CountDownLatch(putTotal);
            c.context(0).runOnContext(v0 -> c.vertx.setPeriodic(1, id -> {
                long due = Math.min(putTotal, (long) ((System.nanoTime() - start) / 1e9 * putRate) + 1);
                while (sent.get() < due) {
                    int seq = (int) sent.getAndIncrement();
                    byte[] b = java.nio.ByteBuffer.allocate(8).putLong(seq).array();
                    sentAt[seq] = System.nanoTime();
                    pc.kv(0).put(PutRequest.newBuilder().setKey(k).setValue(ByteString.copyFrom(b).concat(pad)).build())
                        .onComplete(ar -> {
                            if (ar.failed()) synchronized (putErrors) { putErrors.add(ar.cause()); }
                            putsAnswered.countDown();
                        });
                }
                if (sent.get() >= putTotal) {
                    c.vertx.cancelTimer(id);
                    putsDone.countDown();
                }
            }));
            try {
                putsDone.await((long) maxSeconds + 5, TimeUnit.SECONDS);
                all.await(10, TimeUnit.SECONDS);
                putsAnswered.await(10, TimeUnit.SECONDS); // do not close connections under in-flight puts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pc.close();
            synchronized (r) {
                r.ok = received.get();
                r.seconds = (Math.max(lastEvent.get(), start) - start) / 1e9;
            }
            synchronized (putErrors) {
                putErrors.counts.forEach((kind, n) -> r.errors.add("put " + kind, n));
            }
            if (r.ok < expected) r.errors.add("MISSING_EVENTS", expected - r.ok);
            r.extra.put("watchers", streams * watchersPerStream);
            r.extra.put("puts", putTotal);
            return r;
        }
    }

    static List<String> names() {
        return Arrays.asList("put", "range-l", "range-s", "txn-put", "watch", "lease-keepalive", "mixed");
    }
}
