#!/usr/bin/python3
"""Patroni 3.0's etcd3 DCS (patroni/dcs/etcd3.py: its own urllib3 client on etcd's v3 JSON gateway)
against one etcd endpoint, driven as Patroni's HA loop drives it, without PostgreSQL.

Usage: transcript.py HOST PORT
Prints a transcript that must be the same for etcd 3.4 and vetcd: indexes (mod revisions) are
relative to the revision at the start, lease ids masked. Exits 2 when one of its own checks fails,
0 after "DONE".
"""
import base64
import json
import logging
import os
import re
import sys
import threading
import time

import urllib3

from patroni.dcs import get_dcs, Leader

HOST, PORT = sys.argv[1], int(sys.argv[2])
URL = 'http://%s:%d' % (HOST, PORT)
errors = []
ROOT = [None]  # root's token once auth is on


class Collect(logging.Handler):
    """Patroni logs what goes wrong (a watch that fails, a lost lease) and carries on: keep it."""

    def emit(self, record):
        msg = record.getMessage()
        msg = re.sub(r'\b\d{6,}\b', 'N', msg)
        msg = msg.replace(str(PORT), 'PORT')
        # how a stream Patroni shuts under itself breaks (reset, short chunk) is the kernel's timing
        msg = re.sub(r'(watchprefix failed: \w+).*', r'\1', msg)
        errors.append('%s %s' % (record.levelname, msg))


logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
logging.getLogger().addHandler(Collect(level=logging.WARNING))
http = urllib3.PoolManager(timeout=10)


def say(*parts):
    print(' '.join(str(p) for p in parts), flush=True)


def check(cond, what):
    if not cond:
        say('CHECK FAILED:', what)
        sys.stdout.flush()
        os._exit(2)


def gw(path, body, token=None):
    """One call on the JSON gateway, as curl would make it (for set-up and checks only)."""
    headers = {'Content-Type': 'application/json'}
    if token:
        headers['Authorization'] = token
    r = http.request('POST', URL + '/v3' + path, body=json.dumps(body), headers=headers)
    return r.status, json.loads(r.data.decode() or '{}')


def b64(s):
    return base64.b64encode(s.encode()).decode()


base = int(gw('/kv/range', {'key': b64('x')})[1]['header']['revision'])


def rel(index):
    return None if index is None else 'r+%d' % (int(index) - base)


def dcs(name, ttl=30, **etcd3):
    cfg = {'scope': 'batman', 'name': name, 'namespace': '/service/', 'ttl': ttl, 'loop_wait': 10,
           'retry_timeout': 10, 'etcd3': dict({'hosts': ['%s:%d' % (HOST, PORT)]}, **etcd3)}
    return get_dcs(cfg)


def settled(d, timeout=10):
    """Waits until d's KVCache (fed by its /v3/watch stream) holds what the store holds now."""
    st, body = gw('/kv/range', {'key': b64('/service/batman/'), 'range_end': b64('/service/batman0')}, ROOT[0])
    want = {kv['key']: str(kv['mod_revision']) for kv in body.get('kvs', [])}

    def same():
        cache = d._client._kv_cache
        return cache is not None and {kv['key']: str(kv['mod_revision']) for kv in cache.copy()} == want
    if not wait_for('cache', same, timeout):
        say('CACHE NOT SETTLED')
    return d


def show(cluster):
    """A Cluster as Patroni's HA loop sees it."""
    if cluster is None:
        return 'None'
    leader = cluster.leader
    parts = ['initialize=%r' % cluster.initialize,
             'leader=%s' % (None if leader is None else '%s@%s%s' % (
                 leader.name, rel(leader.index), ' session' if isinstance(leader, Leader) and leader.session else '')),
             'members=%s' % sorted('%s:%s:%s' % (m.name, m.data.get('role'), m.data.get('state')) for m in cluster.members),
             'config=%s' % (None if cluster.config is None else '%s@%s' % (json.dumps(cluster.config.data, sort_keys=True),
                                                                            rel(cluster.config.index))),
             'last_lsn=%s' % cluster.last_lsn,
             'history=%s' % (None if cluster.history is None else cluster.history.lines),
             'failover=%s' % (None if cluster.failover is None else '%s->%s' % (cluster.failover.leader, cluster.failover.candidate)),
             'sync=%s/%s' % (cluster.sync.leader, sorted(cluster.sync.members)),
             'slots=%s' % cluster.slots]
    return ' '.join(parts)


def leader_name(cluster):
    return cluster and cluster.leader and cluster.leader.name


def member_data(role):
    return {'conn_url': 'postgres://127.0.0.1:5432/postgres', 'api_url': 'http://127.0.0.1:8008/patroni',
            'state': 'running', 'role': role, 'version': '3.0.2', 'xlog_location': 100}


def wait_for(what, f, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if f():
            return True
        time.sleep(0.05)
    return False


def timed_watch(d, index, timeout):
    """dcs.watch in a thread (Patroni's replica waits here for the leader key to change)."""
    out = {}

    def run():
        t0 = time.time()
        out['ret'] = d.watch(index, timeout)
        out['took'] = time.time() - t0
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


say('== start')
p1 = dcs('pg1')
p2 = dcs('pg2')
say('machines', sorted(m.replace(str(PORT), 'PORT') for m in p1._client.machines))
say('version prefix', p1._client.version_prefix, 'cluster version', p1._client._cluster_version)
say('leases granted', p1._lease is not None and p2._lease is not None and p1._lease != p2._lease)
say('empty cluster', show(settled(p1).get_cluster()))

say('== bootstrap')
say('pg1 initialize', p1.initialize(create_new=True, sysid='7000000000000000001'))
say('pg2 initialize (lost the race)', p2.initialize(create_new=True, sysid='7000000000000000002'))
say('pg1 touch_member', p1.touch_member(member_data('master')))
say('pg2 touch_member', p2.touch_member(member_data('replica')))
say('pg1 touch_member unchanged', p1.touch_member(member_data('master')))
say('pg1 attempt_to_acquire_leader', p1.attempt_to_acquire_leader())
say('pg2 attempt_to_acquire_leader', p2.attempt_to_acquire_leader())
cfg = {'ttl': 30, 'loop_wait': 10, 'retry_timeout': 10, 'maximum_lag_on_failover': 1048576,
       'postgresql': {'use_pg_rewind': True, 'parameters': {'max_connections': 100}}}
say('set_config_value', p1.set_config_value(json.dumps(cfg, separators=(',', ':'))))
c = p1.get_cluster()
say('set_config_value stale index', p1.set_config_value(json.dumps(dict(cfg, ttl=20)), index=int(c.config.index) - 1))
say('set_config_value right index', p1.set_config_value(json.dumps(dict(cfg, ttl=20)), index=c.config.index))
say('set_history_value', p1.set_history_value(json.dumps([[1, 25165984, 'no recovery target specified', '2026-12-06T00:00:00+00:00']])))
say('update_leader', p1.update_leader(last_lsn=100, slots={'pg2': 100}))
say('write_leader_optime', p1.write_leader_optime(150))
say('write_sync_state', p1.write_sync_state('pg1', ['pg2']) is not None)
say('manual_failover', p1.manual_failover('pg1', 'pg2'))
say('pg1 cluster', show(settled(p1).get_cluster()))
check(wait_for('pg2 cache', lambda: p2.get_cluster().failover is not None), 'pg2 sees the failover key')
say('pg2 cluster (its watch cache)', show(settled(p2).get_cluster()))
c = p1.get_cluster()
say('delete_sync_state stale index', p1.delete_sync_state(index=int(c.sync.index) - 1))
say('delete_sync_state', p1.delete_sync_state(index=c.sync.index))
say('set_failover_value clear', p1.set_failover_value('', index=c.failover.index))

say('== watch')
p1.watch(c.leader.index, 0.01)  # clears what earlier changes set
t0 = time.time()
say('pg1 (leader) watch 1 s', p1.watch(c.leader.index, 1), 'waited ~1 s', 0.8 < time.time() - t0 < 5)
p2.watch(c.leader.index, 0.01)  # clears what earlier changes set
t, out = timed_watch(p2, c.leader.index, 1)
t.join(10)
say('pg2 watch 1 s, nothing changes', out.get('ret'))
t, out = timed_watch(p2, c.leader.index, 10)
time.sleep(0.5)
say('pg1 delete_leader', p1.delete_leader(last_lsn=200))
t.join(15)
say('pg2 watch woken by the leader key', out.get('ret'), 'before its timeout', out.get('took', 99) < 8)
check(wait_for('pg2 cache: no leader', lambda: p2.get_cluster().leader is None), 'pg2 sees no leader')
say('after delete_leader', show(settled(p2).get_cluster()))
say('pg2 attempt_to_acquire_leader', p2.attempt_to_acquire_leader())
t, out = timed_watch(p1, None, 10)
check(wait_for('pg1 cache: pg2 leads', lambda: leader_name(p1.get_cluster()) == 'pg2'), 'pg1 sees pg2')
t.join(15)
say('pg1 watch woken by the new leader', out.get('ret'), 'before its timeout', out.get('took', 99) < 8)
say('pg2 update_leader', p2.update_leader(last_lsn=300))
say('pg2 take_leader', p2.take_leader())
say('pg1 attempt_to_acquire_leader', p1.attempt_to_acquire_leader())
p1.get_cluster()
say('pg1 delete_leader (not its key)', p1.delete_leader())
say('cluster', show(settled(p1).get_cluster()))

say('== lease expiry')
p2.get_cluster()  # each HA cycle starts with it; delete_leader checks the key is ours in what it loaded
say('pg2 delete_leader', p2.delete_leader(last_lsn=300))
p3 = dcs('pg3', ttl=3)
say('pg3 lease ttl', gw('/lease/timetolive', {'ID': p3._lease})[1].get('grantedTTL'))
say('pg3 touch_member', p3.touch_member(member_data('replica')))
say('pg3 attempt_to_acquire_leader', p3.attempt_to_acquire_leader())
check(wait_for('pg1 cache: pg3 leads', lambda: leader_name(p1.get_cluster()) == 'pg3'), 'pg1 sees pg3')
t, out = timed_watch(p1, None, 15)
t.join(20)
say('pg1 watch woken when pg3 stops refreshing', out.get('ret'), 'before its timeout', out.get('took', 99) < 12)
check(wait_for('pg1 cache: pg3 gone', lambda: p1.get_cluster().leader is None), 'pg3 expired')
say('after expiry', show(settled(p1).get_cluster()))
p3._lease = None  # what Patroni does after "Our lease disappeared"
say('pg3 touch_member with expired lease (gets a new one)', p3.touch_member(member_data('replica')))
old = p3._lease
p3._do_refresh_lease(force=True)
say('pg3 keepalive keeps its lease', p3._lease == old)
gw('/lease/revoke', {'ID': p3._lease})
p3._do_refresh_lease(force=True)
say('pg3 lease revoked under it: a new lease', p3._lease != old and p3._lease is not None)
gw('/lease/revoke', {'ID': p3._lease})
say('pg3 attempt_to_acquire_leader on a revoked lease', p3.attempt_to_acquire_leader())
say('cluster', show(settled(p1).get_cluster()))

say('== teardown')
say('cancel_initialization', p1.cancel_initialization())
say('delete_cluster', p1.delete_cluster())
check(wait_for('pg2 cache: empty', lambda: not p2.get_cluster().members), 'pg2 sees an empty cluster')
say('after delete_cluster', show(settled(p2).get_cluster()))

say('== auth')
st, body = gw('/auth/user/add', {'name': 'root', 'password': 'rootpw'})
say('user add root', st)
say('grant root', gw('/auth/user/grant', {'user': 'root', 'role': 'root'})[0])
say('user add patroni', gw('/auth/user/add', {'name': 'patroni', 'password': 'patronipw'})[0])
say('role add', gw('/auth/role/add', {'name': 'patroni'})[0])
say('role grant', gw('/auth/role/grant', {'name': 'patroni', 'perm': {'permType': 'READWRITE', 'key': b64('/service/batman/'),
                                                                     'range_end': b64('/service/batman0')}})[0])
say('user grant', gw('/auth/user/grant', {'user': 'patroni', 'role': 'patroni'})[0])
say('auth enable', gw('/auth/enable', {})[0])
ROOT[0] = gw('/auth/authenticate', {'name': 'root', 'password': 'rootpw'})[1].get('token')
# use_proxies: Patroni takes the hosts as they are and skips its topology discovery, which asks
# /v3/cluster/member/list before it authenticates (see the last step)
a1 = dcs('pg1', username='patroni', password='patronipw', use_proxies=True)
a2 = dcs('pg2', username='patroni', password='patronipw', use_proxies=True)
say('authenticated', a1._client._token is not None)
say('a1 initialize', a1.initialize(create_new=True, sysid='7000000000000000003'))
say('a1 touch_member', a1.touch_member(member_data('master')))
say('a2 touch_member', a2.touch_member(member_data('replica')))
say('a1 attempt_to_acquire_leader', a1.attempt_to_acquire_leader())
check(wait_for('a2 cache: a1 leads', lambda: leader_name(a2.get_cluster()) == 'pg1'), 'a2 sees pg1 lead')
say('a2 cluster', show(settled(a2).get_cluster()))
a2.watch(None, 0.01)
t, out = timed_watch(a2, None, 10)
time.sleep(0.5)
a1.get_cluster()
say('a1 delete_leader', a1.delete_leader())
t.join(15)
say('a2 watch woken (auth)', out.get('ret'), 'before its timeout', out.get('took', 99) < 8)
a1._client._token = 'bogus.token'  # what an expired simple token looks like to the server
say('a1 put with an invalid token (re-authenticates)', a1.set_history_value('[]'))
try:
    dcs('pg9', username='patroni', password='wrong', use_proxies=True)
    say('wrong password: constructed')
except SystemExit as e:
    say('wrong password: Patroni exits', e.code)
st, body = gw('/kv/range', {'key': b64('/service/batman/initialize')})
say('gateway without token', st, body.get('code'), body.get('error'))
st, body = gw('/auth/authenticate', {'name': 'patroni', 'password': 'patronipw'})
tok = body.get('token')
say('patroni outside its prefix', gw('/kv/put', {'key': b64('/other'), 'value': b64('x')}, tok)[1].get('error'))
say('a1 delete_cluster', a1.delete_cluster())

say('== log (warnings and errors Patroni logged)')
for line in sorted(set(errors)):
    say(' ', line)

say('== topology discovery under auth')
# Patroni 3.0 asks for the member list before it authenticates: etcd 3.4.23 answers anyone, etcd
# 3.4.42+ (and vetcd) only an authenticated user, so Patroni keeps retrying (every 5 s, forever).
started = {}
threading.Thread(target=lambda: started.setdefault('dcs', dcs('pg4', username='patroni', password='patronipw')),
                 daemon=True).start()
wait_for('pg4', lambda: 'dcs' in started, timeout=6)
say('Patroni with username/password and discovery started', 'dcs' in started)
st, body = gw('/cluster/member/list', {})
say('member list without token', st, body.get('error'))
st, body = gw('/auth/authenticate', {'name': 'root', 'password': 'rootpw'})
say('auth disable', gw('/auth/disable', {}, body.get('token'))[0])
say('DONE')
os._exit(0)  # KVCache threads hold open watch streams
