/**
 * How a new member learns its initial cluster when the operator did not write it down, as etcd's
 * {@code cluster} section allows: from DNS SRV records ({@code --discovery-srv}, {@link SrvCluster})
 * or from a discovery service speaking etcd's v2 discovery protocol ({@code --discovery},
 * {@link V2Discovery}: a token directory on an etcd v2 keys API, e.g. a real etcd started with
 * {@code --enable-v2}). Both run once, before the WAL exists, on the thread that opens storage;
 * a restarted member reads its cluster from its own data and never asks again.
 */
package io.vetcd.discovery;
