/**
 * etcd 3.4's Watch API over the MVCC store.
 *
 * <ul>
 *   <li>{@link io.vetcd.server.watch.WatchHub}: one per member. Listens to every committed revision
 *   (on the core thread) and hands the matching events to the <em>synced</em> watchers, found
 *   through a {@link io.vetcd.server.watch.WatcherIndex}.</li>
 *   <li>{@link io.vetcd.server.watch.WatchStream}: one per client stream (gRPC Watch call or JSON
 *   gateway request). Owns its watchers, their ids, the bounded queue of live events, the
 *   catch-up of its <em>unsynced</em> watchers from history, progress notifications and fragments.
 *   Runs on the event loop of its connection.</li>
 * </ul>
 *
 * <p>A watcher is either synced (it gets live events from the hub) or unsynced (it needs the
 * revisions from {@code nextRev} onwards, which its stream reads from the store's revision log on a
 * worker thread, in bounded chunks). A watcher starts unsynced when its start revision is in the
 * past, and becomes unsynced when its stream cannot take more: the core thread never blocks and
 * never queues without bound; it drops the watcher to unsynced and the stream catches it up from
 * disk once the client reads again (etcd's unsynced/victim watchers). Every transition happens
 * under the hub's lock together with the hub's "last notified revision", which is what makes the
 * hand-over between history and live events gap- and duplicate-free.
 */
package io.vetcd.server.watch;
