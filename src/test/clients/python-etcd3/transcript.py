#!/usr/bin/python3
"""python etcd3 (kragniz/python-etcd3, gRPC) against one etcd endpoint.

Usage: transcript.py HOST PORT
Prints a transcript that must be the same for etcd 3.4 and vetcd: revisions are printed
relative to the revision at the start, lease ids and member ids are masked. Exits 2 when
one of its own checks fails, 0 at the end ("DONE").
"""
import io
import os
import queue
import sys
import threading
import time

import etcd3
import grpc
from etcd3 import etcdrpc, exceptions
from etcd3.etcdrpc import auth_pb2

HOST, PORT = sys.argv[1], int(sys.argv[2])
T = 10  # every gRPC call of the client is bounded by this many seconds
c = etcd3.client(host=HOST, port=PORT, timeout=T)
base = c.status().raft_index and c.get_response('x').header.revision  # revision at start


def say(*parts):
    print(' '.join(str(p) for p in parts), flush=True)


def check(cond, what):
    if not cond:
        say('CHECK FAILED:', what)
        sys.exit(2)


def rel(rev):
    return 'r+%d' % (rev - base)


def err(e):
    """An error as the client shows it: its class, and for raw gRPC errors the code and message."""
    if isinstance(e, grpc.RpcError):
        return 'RpcError %s %r' % (e.code().name, e.details())
    if isinstance(e, exceptions.RevisionCompactedError):
        return 'RevisionCompactedError compacted=%s' % rel(e.compacted_revision)
    return type(e).__name__


def attempt(label, f):
    try:
        r = f()
        say(label, '->', r)
        return r
    except Exception as e:  # noqa: BLE001 - the error is the transcript
        say(label, '!!', err(e))
        return e


def meta(m):
    if m is None:
        return 'None'
    return 'key=%s create=%s mod=%s ver=%d lease=%s' % (
        m.key.decode(), rel(m.create_revision), rel(m.mod_revision), m.version, 'L' if m.lease_id else '0')


def kvs(it):
    return ['%s=%s' % (m.key.decode(), v.decode()) for v, m in it]


# ---- KV ----
say('== kv')
r = c.put('/py/a', 'A1')
say('put a rev', rel(r.header.revision))
r = c.put('/py/a', 'A2', prev_kv=True)
say('put a prev_kv', r.prev_kv.value.decode(), r.prev_kv.version)
v, m = c.get('/py/a')
say('get a', v.decode(), meta(m))
check(v == b'A2' and m.version == 2, 'get a')
say('get missing', c.get('/py/missing'))
for k, val in [('b', 'B'), ('c', 'C3'), ('d', 'D'), ('e', '')]:
    c.put('/py/' + k, val)
c.put('/pyz', 'outside')
say('prefix', kvs(c.get_prefix('/py/')))
say('prefix keys_only', [m.key.decode() for _, m in c.get_prefix('/py/', keys_only=True)])
say('prefix desc', kvs(c.get_prefix('/py/', sort_order='descend')))
say('prefix by value asc', kvs(c.get_prefix('/py/', sort_order='ascend', sort_target='value')))
say('prefix by version desc', kvs(c.get_prefix('/py/', sort_order='descend', sort_target='version')))
say('prefix by create desc', kvs(c.get_prefix('/py/', sort_order='descend', sort_target='create')))
say('prefix by mod asc', kvs(c.get_prefix('/py/', sort_order='ascend', sort_target='mod')))
say('range b..d', kvs(c.get_range('/py/b', '/py/d')))
# the client builds but does not send limit/count_only: raw stub
resp = c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/', range_end=b'/py0', limit=2), T)
say('prefix limit 2', [kv.key.decode() for kv in resp.kvs], 'more', resp.more, 'count', resp.count)
resp = c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/', range_end=b'/py0', count_only=True), T)
say('prefix count_only', resp.count, len(resp.kvs))
resp = c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/', range_end=b'/py0', min_mod_revision=base + 2), T)
say('prefix min_mod r+2', [kv.key.decode() for kv in resp.kvs], 'count', resp.count)
say('all', kvs(c.get_all()))
v, m = c.get('/py/a', serializable=True)
say('serializable get', v.decode())
resp = c.get_response('/py/a')
old = c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/a', revision=base + 1), T)
say('get a at r+1', [kv.value.decode() for kv in old.kvs])
say('delete e', c.delete('/py/e'))
say('delete e again', c.delete('/py/e'))
d = c.delete('/py/d', prev_kv=True, return_response=True)
say('delete d response', d.deleted, [kv.value.decode() for kv in d.prev_kvs])
d = c.delete_prefix('/py/')
say('delete_prefix', d.deleted)
say('after delete_prefix', kvs(c.get_prefix('/py/')), kvs(c.get_prefix('/pyz')))
attempt('put empty key', lambda: c.put('', 'x'))
attempt('get far future rev', lambda: c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/a', revision=base + 100000), T))

# ---- transactions ----
say('== txn')
tx = c.transactions
say('put_if_not_exists new', c.put_if_not_exists('/py/t', 'one'))
say('put_if_not_exists again', c.put_if_not_exists('/py/t', 'two'))
say('replace wrong', c.replace('/py/t', 'nope', 'x'))
say('replace right', c.replace('/py/t', 'one', 'uno'))
ok, resps = c.transaction(
    compare=[tx.value('/py/t') == 'uno', tx.version('/py/t') > 1, tx.create('/py/t') > 0, tx.mod('/py/t') < base + 1000],
    success=[tx.put('/py/t2', 'second'), tx.get('/py/t'), tx.delete('/py/nothing')],
    failure=[tx.put('/py/failed', 'x')])
say('txn all true', ok, [type(r).__name__ for r in resps])
say('  get in txn', [(m.key.decode(), v.decode()) for v, m in resps[1]])
ok, resps = c.transaction(
    compare=[tx.value('/py/t') != 'uno'],
    success=[tx.put('/py/never', 'x')],
    failure=[tx.get('/py/t2'), tx.put('/py/t3', 'third')])
say('txn compare false', ok, [(m.key.decode(), v.decode()) for v, m in resps[0]])
ok, resps = c.transaction(compare=[tx.version('/py/absent') == 0], success=[tx.get('/py/absent')], failure=[])
say('txn absent version==0', ok, [list(r) for r in resps])
ok, resps = c.transaction(
    compare=[],
    success=[tx.txn(compare=[tx.value('/py/t3') == 'third'],
                    success=[tx.put('/py/nested', 'yes')], failure=[])],
    failure=[])
say('nested txn', ok, c.get('/py/nested')[0])
attempt('txn duplicate put', lambda: c.transaction(compare=[], success=[tx.put('/py/dup', '1'), tx.put('/py/dup', '2')], failure=[]))
attempt('txn compare value on empty key', lambda: c.transaction(compare=[tx.value('') == 'x'], success=[], failure=[]))
say('keys after txn', kvs(c.get_prefix('/py/')))
c.delete_prefix('/py/')

# etcd's HashKV of the store so far (no leases yet, so no random ids in it): vetcd computes it as etcd does
hkv = c.maintenancestub.HashKV(etcdrpc.HashKVRequest(revision=0), T)
say('hashKV', hkv.hash, 'compact', hkv.compact_revision)

# ---- leases ----
say('== lease')
short = c.lease(1)
say('lease ttl=1 granted', short.granted_ttl, 'remaining<=granted', 0 < short.remaining_ttl <= short.granted_ttl)
short.revoke()
lease = c.lease(30)
c.put('/py/l1', 'v', lease=lease)
c.put('/py/l2', 'v', lease=lease.id)
v, m = c.get('/py/l1')
check(m.lease_id == lease.id, 'lease id on key')
say('lease keys', sorted(k.decode() for k in lease.keys), 'granted', lease.granted_ttl)
rr = lease.refresh()
say('refresh', [r.TTL for r in rr], 'id ok', rr[0].ID == lease.id)
info = c.get_lease_info(lease.id)
say('lease info', info.grantedTTL, 0 < info.TTL <= 30)
fixed = attempt('lease with id 0x7f01', lambda: c.lease(20, lease_id=0x7f01).id)
attempt('lease with same id', lambda: c.lease(20, lease_id=0x7f01).id)
ll = c.leasestub.LeaseLeases(etcdrpc.LeaseLeasesRequest(), T)
say('lease list count', len(ll.leases), 'has 0x7f01', any(l.ID == 0x7f01 for l in ll.leases))
lease.revoke()
say('after revoke', kvs(c.get_prefix('/py/l')))
say('revoked info ttl', c.get_lease_info(lease.id).TTL)
say('refresh revoked', [r.TTL for r in c.refresh_lease(lease.id)])
attempt('revoke again', lambda: c.revoke_lease(lease.id))
attempt('put with missing lease', lambda: c.put('/py/x', 'v', lease=0x1234567))
exp = c.lease(2)
c.put('/py/exp', 'soon gone', lease=exp)
say('before expiry', c.get('/py/exp')[0])
deadline = time.time() + 15
while c.get('/py/exp')[0] is not None and time.time() < deadline:
    time.sleep(0.2)
say('expired', c.get('/py/exp')[0], 'info ttl', c.get_lease_info(exp.id).TTL)
c.revoke_lease(0x7f01)

# ---- watch ----
say('== watch')
events, cancel = c.watch('/py/w')
got = queue.Queue()


def drain(it, q):
    for ev in it:
        q.put(ev)
    q.put('END')


threading.Thread(target=drain, args=(events, got), daemon=True).start()
c.put('/py/w', 'w1')
c.put('/py/w', 'w2')
c.put('/py/wx', 'other key')
c.delete('/py/w')


def ev_str(ev):
    if ev == 'END':
        return ev
    s = '%s %s=%s ver=%d mod=%s' % (type(ev).__name__, ev.key.decode(), ev.value.decode(), ev.version, rel(ev.mod_revision))
    if ev._event.HasField('prev_kv'):
        s += ' prev=%s' % ev._event.prev_kv.value.decode()
    return s


for _ in range(3):
    say('key watch', ev_str(got.get(timeout=T)))
cancel()
say('after cancel', ev_str(got.get(timeout=T)))
c.put('/py/w', 'after cancel')

pevents, pcancel = c.watch_prefix('/py/p/', prev_kv=True)
pgot = queue.Queue()
threading.Thread(target=drain, args=(pevents, pgot), daemon=True).start()
c.put('/py/p/1', 'one')
c.put('/py/p/1', 'uno')
c.put('/py/p/2', 'two')
c.put('/py/q', 'not in prefix')
c.delete_prefix('/py/p/')
for _ in range(5):
    say('prefix watch', ev_str(pgot.get(timeout=T)))
pcancel()
say('prefix after cancel', ev_str(pgot.get(timeout=T)))

start = c.get_response('/py/h').header.revision + 1
for i in range(3):
    c.put('/py/h', 'h%d' % i)
hq = queue.Queue()
wid = c.add_watch_callback('/py/h', hq.put, start_revision=start + 1)
hist = []
while len(hist) < 2:  # how events are split into responses is not part of the contract
    hist += hq.get(timeout=T).events
say('history watch', [ev_str(e) for e in hist])
c.cancel_watch(wid)
# (the client's filters= cannot be used: it assigns a list to a repeated protobuf field)
attempt('watch_once timeout', lambda: c.watch_once('/py/never', timeout=0.5))
tq = queue.Queue()
threading.Thread(target=lambda: tq.put(ev_str(c.watch_once('/py/once', timeout=T))), daemon=True).start()
time.sleep(0.5)
c.put('/py/once', 'fired')
say('watch_once', tq.get(timeout=T))

# ---- events of multi-key changes, from-key watches, ignore_value/ignore_lease ----
say('== events')
mq = queue.Queue()
wid = c.add_watch_callback('/py/m/', mq.put, range_end=b'\0', prev_kv=True)  # from key: everything >= /py/m/
ml = c.lease(30)
c.put('/py/m/1', 'one', lease=ml)
c.put('/py/m/2', 'two', lease=ml)
c.put('/py/zz', 'after the prefix')
ok, _ = c.transaction(compare=[], success=[tx.put('/py/m/3', 'three'), tx.delete('/py/zz'), tx.put('/py/m/0', 'zero')], failure=[])
ml.revoke()
c.delete_prefix('/py/m/')
evs = []
while len(evs) < 10:
    evs += mq.get(timeout=T).events
say('from-key watch', [ev_str(e) for e in evs])
c.cancel_watch(wid)
c.put('/py/iv', 'original')
il = c.lease(30)
c.kvstub.Put(etcdrpc.PutRequest(key=b'/py/iv', lease=il.id, ignore_value=True), T)
v, m = c.get('/py/iv')
say('ignore_value keeps', v.decode(), 'lease set', m.lease_id == il.id)
c.kvstub.Put(etcdrpc.PutRequest(key=b'/py/iv', value=b'new', ignore_lease=True), T)
v, m = c.get('/py/iv')
say('ignore_lease keeps the lease', v.decode(), m.lease_id == il.id)
attempt('ignore_value on a missing key', lambda: c.kvstub.Put(etcdrpc.PutRequest(key=b'/py/none', ignore_value=True), T) and 'ok')
attempt('ignore_value with a value', lambda: c.kvstub.Put(etcdrpc.PutRequest(key=b'/py/iv', value=b'x', ignore_value=True), T) and 'ok')
attempt('ignore_lease with a lease', lambda: c.kvstub.Put(etcdrpc.PutRequest(key=b'/py/iv', lease=il.id, ignore_lease=True), T) and 'ok')
il.revoke()
say('after revoke', c.get('/py/iv')[0])
r = c.kvstub.Txn(etcdrpc.TxnRequest(success=[
    etcdrpc.RequestOp(request_range=etcdrpc.RangeRequest(key=b'/py/', range_end=b'/py0', count_only=True)),
    etcdrpc.RequestOp(request_range=etcdrpc.RangeRequest(key=b'/py/', range_end=b'/py0', limit=1, keys_only=True,
                                                         sort_order=etcdrpc.RangeRequest.DESCEND)),
    etcdrpc.RequestOp(request_put=etcdrpc.PutRequest(key=b'/py/once', value=b'again', prev_kv=True)),
    etcdrpc.RequestOp(request_delete_range=etcdrpc.DeleteRangeRequest(key=b'/py/w', prev_kv=True))]), T)
say('txn ranges', r.responses[0].response_range.count, len(r.responses[0].response_range.kvs),
    [kv.key.decode() for kv in r.responses[1].response_range.kvs], r.responses[1].response_range.more,
    'put prev', r.responses[2].response_put.prev_kv.value.decode(),
    'delete prev', [kv.value.decode() for kv in r.responses[3].response_delete_range.prev_kvs])
attempt('txn put then delete then put same key', lambda: c.kvstub.Txn(etcdrpc.TxnRequest(success=[
    etcdrpc.RequestOp(request_put=etcdrpc.PutRequest(key=b'/py/d1', value=b'x')),
    etcdrpc.RequestOp(request_delete_range=etcdrpc.DeleteRangeRequest(key=b'/py/d1'))]), T).succeeded)
attempt('txn delete range overlapping a put', lambda: c.kvstub.Txn(etcdrpc.TxnRequest(success=[
    etcdrpc.RequestOp(request_delete_range=etcdrpc.DeleteRangeRequest(key=b'/py/d', range_end=b'/py/e')),
    etcdrpc.RequestOp(request_put=etcdrpc.PutRequest(key=b'/py/d2', value=b'x'))]), T).succeeded)
big = c.kvstub.Range(etcdrpc.RangeRequest(key=b'\0', range_end=b'\0', keys_only=True, sort_order=etcdrpc.RangeRequest.ASCEND,
                                          sort_target=etcdrpc.RangeRequest.VALUE), T)
say('all keys by value', [kv.key.decode() for kv in big.kvs])
attempt('range with a negative limit', lambda: len(c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/', range_end=b'/py0', limit=-1), T).kvs))
attempt('range at revision -1', lambda: len(c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/', range_end=b'/py0', revision=-1), T).kvs))

# ---- compaction ----
say('== compact')
c.put('/py/cmp', 'c1')
crev = c.put('/py/cmp', 'c2').header.revision
c.compact(crev)
attempt('get at compacted rev', lambda: c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/cmp', revision=crev - 1), T))
attempt('compact again', lambda: c.compact(crev))
attempt('compact future', lambda: c.compact(crev + 1000))
cq = queue.Queue()
attempt('watch from compacted rev', lambda: c.add_watch_callback('/py/cmp', cq.put, start_revision=crev - 1) is not None)
say('  its callback gets', err(cq.get(timeout=T)))
say('get at compact rev', c.kvstub.Range(etcdrpc.RangeRequest(key=b'/py/cmp', revision=crev), T).kvs[0].value.decode())
c.compact(c.put('/py/cmp', 'c3').header.revision, physical=True)
say('physical compact ok')

# ---- locks ----
say('== lock')
lock = c.lock('pylock', ttl=10)
say('acquire', lock.acquire(timeout=5), 'is_acquired', lock.is_acquired())
other = c.lock('pylock', ttl=10)
# A contended acquire: python-etcd3 0.12's retry wait does not fit Debian's tenacity (TypeError on
# any server), so the waiting side is checked through the lock key and lease instead.
attempt('other acquire while held', lambda: other.acquire(timeout=1))
say('other is_acquired', other.is_acquired())
say('lock key', [m.key.decode() for _, m in c.get_prefix('/locks/')], 'owner lease ttl', lock.lease.granted_ttl)
say('refresh', [r.TTL for r in lock.refresh()])
say('release', lock.release(), 'release again', lock.release())
say('other acquire after release', other.acquire(timeout=5), other.is_acquired(), 'first is_acquired', lock.is_acquired())
other.release()
with c.lock('pylock2', ttl=5) as l2:
    say('context manager lock', l2.is_acquired())
say('after context', c.get('/locks/pylock2')[0])

# ---- cluster / maintenance ----
say('== cluster')
members = list(c.members)
say('members', len(members), 'name set', bool(members[0].name),
    'client url', members[0].client_urls == ['http://%s:%d' % (HOST, PORT)], 'peer urls', len(members[0].peer_urls))
members[0].update(members[0].peer_urls)
say('update member to same peer urls', [m.peer_urls == members[0].peer_urls for m in c.members])
attempt('remove unknown member', lambda: c.remove_member(0x1234))
attempt('update unknown member', lambda: c.update_member(0x1234, ['http://127.0.0.1:1']))
st = c.status()
say('status version', st.version.split('.')[:2], 'leader is member', st.leader is not None and st.leader.id == members[0].id,
    'term>=1', st.raft_term >= 1, 'index>0', st.raft_index > 0, 'db>0', st.db_size > 0)
say('hash is int', isinstance(c.hash(), int))
say('alarms', list(c.list_alarms()))
alarms = c.create_alarm()
say('create alarm', [(a.alarm_type, a.member_id) for a in alarms])
say('list alarms', [(a.alarm_type, a.member_id) for a in c.list_alarms()])
attempt('put under NOSPACE', lambda: c.put('/py/full', 'x'))
say('get under NOSPACE', c.get('/pyz')[0])
say('disarm', [(a.alarm_type, a.member_id) for a in c.disarm_alarm()])
say('alarms after disarm', list(c.list_alarms()))
say('put after disarm', rel(c.put('/py/full', 'x').header.revision) != 'r+0')
c.defragment()
say('defragment ok')
buf = io.BytesIO()
c.snapshot(buf)
say('snapshot non-empty', len(buf.getvalue()) > 4096)

# ---- auth (raw stubs: the client has no auth admin API, only user/password) ----
say('== auth')
a = etcdrpc.AuthStub(c.channel)
attempt('authenticate while disabled',
        lambda: a.Authenticate(etcdrpc.AuthenticateRequest(name='root', password='rootpw'), T).token != '')
attempt('auth enable without root', lambda: a.AuthEnable(etcdrpc.AuthEnableRequest(), T) and 'ok')
a.UserAdd(etcdrpc.AuthUserAddRequest(name='root', password='rootpw'), T)
a.UserGrantRole(etcdrpc.AuthUserGrantRoleRequest(user='root', role='root'), T)
a.UserAdd(etcdrpc.AuthUserAddRequest(name='alice', password='alicepw'), T)
a.RoleAdd(etcdrpc.AuthRoleAddRequest(name='pyrole'), T)
a.RoleGrantPermission(etcdrpc.AuthRoleGrantPermissionRequest(
    name='pyrole', perm=auth_pb2.Permission(permType=auth_pb2.Permission.READWRITE, key=b'/py/alice/', range_end=b'/py/alice0')), T)
a.UserGrantRole(etcdrpc.AuthUserGrantRoleRequest(user='alice', role='pyrole'), T)
attempt('add user twice', lambda: a.UserAdd(etcdrpc.AuthUserAddRequest(name='alice', password='x'), T) and 'ok')
attempt('grant missing role', lambda: a.UserGrantRole(etcdrpc.AuthUserGrantRoleRequest(user='alice', role='nope'), T) and 'ok')
a.AuthEnable(etcdrpc.AuthEnableRequest(), T)
say('auth enabled')
attempt('get without token', lambda: c.get('/py/t'))
attempt('wrong password', lambda: etcd3.client(host=HOST, port=PORT, timeout=T, user='alice', password='bad'))
attempt('unknown user', lambda: etcd3.client(host=HOST, port=PORT, timeout=T, user='mallory', password='x'))


def authed(user, password):
    """The client sends the token twice: as metadata and as call credentials, which Debian's grpcio
    refuses on a plaintext channel ("does not have a sufficient security level"); keep the metadata."""
    cl = etcd3.client(host=HOST, port=PORT, timeout=T, user=user, password=password)
    cl.call_credentials = None
    cl.watcher._credentials = None
    return cl


alice = authed('alice', 'alicepw')
say('alice put in prefix', rel(alice.put('/py/alice/k', 'mine').header.revision) != 'r+0')
say('alice get in prefix', alice.get('/py/alice/k')[0])
attempt('alice put outside', lambda: alice.put('/py/t', 'x'))
attempt('alice get outside', lambda: alice.get('/py/t'))
attempt('alice delete_prefix outside', lambda: alice.delete_prefix('/py/'))
attempt('alice txn reading outside', lambda: alice.transaction(compare=[tx.value('/py/t') == 'x'], success=[], failure=[]))
attempt('alice lease grant', lambda: alice.lease(10).granted_ttl)
aq = queue.Queue()
attempt('alice watch outside', lambda: alice.add_watch_callback('/py/t', aq.put) and 'created')
wid = alice.add_watch_callback('/py/alice/', aq.put, range_end=b'/py/alice0')
alice.put('/py/alice/w', 'watched')
say('alice watch in prefix', [ev_str(e) for e in aq.get(timeout=T).events])
alice.cancel_watch(wid)
attempt('alice status', lambda: alice.status().version.split('.')[:2])
attempt('alice member list', lambda: len(list(alice.members)))
attempt('alice alarm list', lambda: list(alice.list_alarms()))
root = authed('root', 'rootpw')
say('root get', root.get('/py/alice/k')[0], root.get('/py/t')[0])
ra = etcdrpc.AuthStub(root.channel)
say('root user list', sorted(ra.UserList(etcdrpc.AuthUserListRequest(), T, metadata=root.metadata).users))
attempt('root revokes alice role', lambda: ra.UserRevokeRole(etcdrpc.AuthUserRevokeRoleRequest(name='alice', role='pyrole'), T,
                                                            metadata=root.metadata) and 'ok')
attempt('alice after revoke', lambda: alice.get('/py/alice/k'))
ra.AuthDisable(etcdrpc.AuthDisableRequest(), T, metadata=root.metadata)
say('auth disabled, get without token', c.get('/py/t')[0])
say('DONE')
os._exit(0)  # the client's watch threads print a traceback when their channel closes under them
