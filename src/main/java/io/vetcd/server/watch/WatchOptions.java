package io.vetcd.server.watch;

import java.time.Duration;

/**
 * Tunables of the watch layer.
 *
 * @param progressNotifyInterval how often watchers created with progress_notify get an empty
 *     response carrying the current revision (etcd: 10 min, {@code --experimental-watch-progress-notify-interval})
 * @param maxRequestBytes responses of a watcher created with fragment=true are split above this size
 * @param maxQueuedBytesPerStream live events queued for one stream beyond which its watchers fall
 *     back to catch-up from disk; with the transport's own write queue this bounds a slow stream's heap
 * @param catchUpReadBytes target size of one history read while catching up
 */
public record WatchOptions(Duration progressNotifyInterval, long maxRequestBytes, long maxQueuedBytesPerStream,
                           long catchUpReadBytes) {
    public static WatchOptions defaults() {
        return new WatchOptions(Duration.ofMinutes(10), 1536 * 1024, 1 << 20, 1 << 20);
    }

    public WatchOptions withProgressNotifyInterval(Duration d) {
        return new WatchOptions(d, maxRequestBytes, maxQueuedBytesPerStream, catchUpReadBytes);
    }

    public WatchOptions withMaxRequestBytes(long b) {
        return new WatchOptions(progressNotifyInterval, b, maxQueuedBytesPerStream, catchUpReadBytes);
    }
}
