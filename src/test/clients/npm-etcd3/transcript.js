// npm etcd3 (microsoft/etcd3 1.1.2, @grpc/grpc-js) against one etcd endpoint.
//
// Usage: node transcript.js HOST PORT
// Prints a transcript that must be the same for etcd 3.4 and vetcd: revisions relative to the
// revision at the start, lease ids masked. Exits 2 when one of its own checks fails, 0 after "DONE".
'use strict';
const { Etcd3, EtcdLockFailedError } = require('etcd3');
const REPEATABLE_READS = 2; // Isolation.RepeatableReads (a TypeScript const enum, not exported at run time)

const [host, port] = process.argv.slice(2);
const hosts = `http://${host}:${port}`;
const T = 10000; // every unary call is bounded by this many ms
const opts = { hosts, dialTimeout: T, defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + T }) };
const c = new Etcd3(opts);
let base = 0;

let done = false;
process.on('beforeExit', () => { if (!done) { say('CHECK FAILED: a promise never settled'); process.exit(2); } });
setTimeout(() => { say('CHECK FAILED: script took over 100 s'); process.exit(2); }, 100000).unref();

function say(...parts) { process.stdout.write(parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ') + '\n'); }
function check(cond, what) { if (!cond) { say('CHECK FAILED:', what); process.exit(2); } }
const rel = (rev) => `r+${Number(rev) - base}`;
// lease ids (random 63-bit numbers) appear in some of the client's messages: masked
const err = (e) => `${e.constructor.name}: ${e.message.replace(/\b\d{7,}\b/g, 'ID')}`;
async function attempt(label, f) {
  try { const r = await f(); say(label, '->', r === undefined ? 'ok' : r); return r; } catch (e) { say(label, '!!', err(e)); return e; }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function kvLine(kv) {
  return `${kv.key.toString()}=${kv.value.toString()} create=${rel(kv.create_revision)} mod=${rel(kv.mod_revision)} ver=${kv.version} lease=${kv.lease === '0' ? '0' : 'L'}`;
}
/** Resolves with the first `n` values pushed, or a timeout marker after `ms`. */
function collector() {
  const items = []; let waiters = [];
  return {
    push(x) { items.push(x); waiters.forEach((w) => w()); waiters = []; },
    async take(n, ms = T) {
      const end = Date.now() + ms;
      while (items.length < n && Date.now() < end) await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
      return items.length >= n ? items.splice(0, n) : ['<timeout>', ...items.splice(0)];
    },
    items,
  };
}

async function main() {
  base = Number((await c.get('x').exec()).header.revision);

  say('== kv');
  say('put a', rel((await c.put('/js/a').value('A1')).header.revision));
  say('put a getPrevious', (await c.put('/js/a').value('A2').getPrevious()).value.toString());
  say('get a string', await c.get('/js/a').string(), 'exists', await c.get('/js/a').exists(), 'missing', await c.get('/js/zz').string());
  say('get a kv', kvLine((await c.get('/js/a').exec()).kvs[0]));
  await c.put('/js/n').value(42);
  await c.put('/js/j').value(JSON.stringify({ x: [1, 2] }));
  for (const [k, v] of [['b', 'B'], ['c', 'C3'], ['d', 'D']]) await c.put('/js/' + k).value(v);
  await c.put('/jsz').value('outside');
  say('number', await c.get('/js/n').number(), 'json', await c.get('/js/j').json());
  say('prefix strings', await c.getAll().prefix('/js/').strings());
  say('prefix keys', await c.getAll().prefix('/js/').keys(), 'count', await c.getAll().prefix('/js/').count());
  say('sort Value Descend', await c.getAll().prefix('/js/').sort('Value', 'Descend').keys());
  say('sort Create Ascend limit 3', await c.getAll().prefix('/js/').sort('Create', 'Ascend').limit(3).keys());
  say('sort Mod Descend', await c.getAll().prefix('/js/').sort('Mod', 'Descend').keys());
  say('sort Version Descend', await c.getAll().prefix('/js/').sort('Version', 'Descend').keys());
  say('inRange b..d', await c.getAll().inRange({ start: '/js/b', end: '/js/d' }).keys());
  say('all keys', await c.getAll().all().keys());
  say('at r+1', await c.get('/js/a').revision(base + 1).string());
  say('minModRevision r+5', await c.getAll().prefix('/js/').minModRevision(base + 5).keys());
  say('maxCreateRevision r+3', await c.getAll().prefix('/js/').maxCreateRevision(base + 3).keys());
  say('serializable', await c.get('/js/a').serializable(true).string());
  await attempt('get future revision', () => c.get('/js/a').revision(base + 100000).string());
  await attempt('put empty key', () => c.put('').value('x').then((r) => rel(r.header.revision)));
  const touched = await attempt('touch missing key', () => c.put('/js/none').touch().then(() => 'ok'));
  await c.put('/js/t').value('tv');
  say('touch existing', await c.put('/js/t').touch().then(() => 'ok'), await c.get('/js/t').string());
  say('delete key', (await c.delete().key('/js/d')).deleted);
  say('delete missing', (await c.delete().key('/js/d')).deleted);
  say('delete getPrevious', (await c.delete().key('/js/c').getPrevious()).map((kv) => kv.value.toString()));
  say('delete prefix', (await c.delete().prefix('/js/')).deleted, 'left', await c.getAll().prefix('/js').keys());

  say('== namespace');
  const ns = c.namespace('/js/ns/');
  await ns.put('k').value('nv');
  say('ns get', await ns.get('k').string(), 'raw key', await c.getAll().prefix('/js/ns/').keys(), 'ns keys', await ns.getAll().keys());
  say('ns delete all', (await ns.delete().all()).deleted);

  say('== txn');
  let r = await c.if('/js/t', 'Version', '==', 0).then(c.put('/js/t').value('first')).else(c.get('/js/t')).commit();
  say('create if absent', r.succeeded);
  r = await c.if('/js/t', 'Value', '==', 'first').and('/js/t', 'Create', '>', 0).and('/js/t', 'Mod', '<', base + 1000)
    .then(c.put('/js/t').value('second'), c.get('/js/t'), c.delete().key('/js/none'))
    .else(c.put('/js/never').value('x')).commit();
  say('all true', r.succeeded, r.responses.map((x) => x.response));
  say('  range in txn', r.responses[1].response_range.kvs.map((kv) => kv.value.toString()));
  r = await c.if('/js/t', 'Value', '!=', 'second').then(c.put('/js/never').value('x')).else(c.get('/js/t'), c.put('/js/t2').value('v2')).commit();
  say('false branch', r.succeeded, r.responses[0].response_range.kvs.map((kv) => kv.value.toString()));
  // (the client cannot nest a transaction: its ComparatorBuilder is not an operation)
  await attempt('duplicate key', () => c.if('/js/t', 'Version', '>', 0).then(c.put('/js/dup').value('1'), c.put('/js/dup').value('2')).commit().then((x) => x.succeeded));
  await attempt('compare on empty key', () => c.if('', 'Value', '==', 'x').commit().then((x) => x.succeeded));
  say('after txn', await c.getAll().prefix('/js/').strings());

  say('== stm');
  await c.put('/js/acct/a').value(100);
  await c.put('/js/acct/b').value(0);
  const transfer = async (tx) => {
    const a = await tx.get('/js/acct/a').number();
    const b = await tx.get('/js/acct/b').number();
    await tx.put('/js/acct/a').value(a - 30);
    await tx.put('/js/acct/b').value(b + 30);
    return a;
  };
  // the default isolation (SerializableSnapshot) compares against the earliest mod revision read, so
  // two keys written at different revisions always conflict (this client's rule, on any server)
  await attempt('stm default isolation', () => c.stm({ retries: 1 }).transact(transfer));
  const moved = await c.stm({ isolation: REPEATABLE_READS }).transact(transfer);
  say('stm read', moved, 'after', await c.getAll().prefix('/js/acct/').strings());

  // (maintenance.hashKV cannot be called: the client looks up a method 'hashKV' its gRPC stub names 'HashKV')
  say('== lease');
  const short = c.lease(1, { autoKeepAlive: false });
  await short.grant();
  const sttl = await c.leaseClient.leaseTimeToLive({ ID: await short.grant() });
  say('ttl=1 granted', sttl.grantedTTL, 'ttl<=granted', Number(sttl.TTL) <= Number(sttl.grantedTTL));
  await short.revoke();
  const lease = c.lease(30, { autoKeepAlive: false });
  const lid = await lease.grant();
  await lease.put('/js/l1').value('v');
  await c.put('/js/l2').value('v').lease(lid);
  const lkv = (await c.get('/js/l1').exec()).kvs[0];
  check(lkv.lease === lid, 'lease id on key');
  const ttl = await c.leaseClient.leaseTimeToLive({ ID: lid, keys: true });
  say('ttl with keys', ttl.grantedTTL, ttl.keys.map((k) => k.toString()).sort());
  const ka = await lease.keepaliveOnce();
  say('keepaliveOnce', ka.TTL, ka.ID === lid);
  const leases = await c.leaseClient.leaseLeases();
  say('leases', leases.leases.length, leases.leases.some((l) => l.ID === lid));
  say('ignoreLease put', rel((await c.put('/js/l1').value('v2').ignoreLease()).header.revision) !== 'r+0',
    (await c.get('/js/l1').exec()).kvs[0].lease === lid);
  await lease.revoke();
  say('revoked', lease.revoked(), await c.getAll().prefix('/js/l').keys());
  const gone = await c.leaseClient.leaseTimeToLive({ ID: lid });
  say('ttl of revoked', gone.TTL);
  await attempt('revoke again', () => c.leaseClient.leaseRevoke({ ID: lid }));
  await attempt('put with missing lease', () => c.put('/js/x').value('v').lease('1234567'));
  await attempt('grant fixed id', () => c.leaseClient.leaseGrant({ TTL: 20, ID: 0x7f02 }).then((g) => `${g.ID} ${g.TTL}`));
  await attempt('grant same id', () => c.leaseClient.leaseGrant({ TTL: 20, ID: 0x7f02 }).then((g) => g.ID));
  await c.leaseClient.leaseRevoke({ ID: 0x7f02 });
  const revokedLease = c.lease(30, { autoKeepAlive: false });
  await revokedLease.grant();
  await c.leaseClient.leaseRevoke({ ID: await revokedLease.grant() });
  await attempt('keepaliveOnce on revoked', () => revokedLease.keepaliveOnce().then((x) => `TTL ${x.TTL}`));
  await attempt('lease.put on revoked', () => revokedLease.put('/js/r').value('x').then(() => 'ok'));

  // automatic keepalive: a 2 s lease stays alive past its TTL, then is lost once revoked under it
  const auto = c.lease(2);
  const events = collector();
  auto.on('keepaliveSucceeded', (res) => events.push(`ok TTL ${res.TTL}`));
  auto.on('lost', (e) => events.push(`lost ${err(e)}`));
  await auto.put('/js/auto').value('kept');
  await sleep(3500);
  say('auto keepalive', (await events.take(1))[0], 'key after 3.5 s', await c.get('/js/auto').string());
  const alid = await auto.grant();
  await c.leaseClient.leaseRevoke({ ID: alid });
  const lost = await events.take(50, 4000);
  say('after revoke under it', lost.filter((x) => x.startsWith('lost')).slice(0, 1));
  auto.release();

  const exp = c.lease(2, { autoKeepAlive: false });
  await exp.put('/js/exp').value('soon gone');
  say('before expiry', await c.get('/js/exp').string());
  const end = Date.now() + 15000;
  while ((await c.get('/js/exp').string()) !== null && Date.now() < end) await sleep(200);
  say('expired', await c.get('/js/exp').string(), 'ttl', (await c.leaseClient.leaseTimeToLive({ ID: await exp.grant() })).TTL);

  say('== watch');
  const seen = collector();
  const w = await c.watch().key('/js/w').create();
  w.on('put', (kv) => seen.push(`put ${kv.key}=${kv.value} ver=${kv.version} mod=${rel(kv.mod_revision)}`));
  w.on('delete', (kv) => seen.push(`delete ${kv.key} mod=${rel(kv.mod_revision)}`));
  await c.put('/js/w').value('w1');
  await c.put('/js/w').value('w2');
  await c.put('/js/wx').value('other');
  await c.delete().key('/js/w');
  say('key watch', await seen.take(3));
  await w.cancel();
  await c.put('/js/w').value('after cancel');
  await sleep(300);
  say('after cancel', seen.items.length);

  const pseen = collector();
  const pw = await c.watch().prefix('/js/p/').withPreviousKV().create();
  pw.on('put', (kv, prev) => pseen.push(`put ${kv.key}=${kv.value} prev=${prev ? prev.value : '-'}`));
  pw.on('delete', (kv, prev) => pseen.push(`delete ${kv.key} prev=${prev ? prev.value : '-'}`));
  await c.put('/js/p/1').value('one');
  await c.put('/js/p/1').value('uno');
  await c.put('/js/p/2').value('two');
  await c.put('/js/q').value('not in prefix');
  await c.delete().prefix('/js/p/');
  say('prefix watch', await pseen.take(5));
  say('lastRevision', rel(pw.lastRevision()));
  await pw.cancel();

  const oseen = collector();
  const ow = await c.watch().prefix('/js/o/').ignore('put').create();
  ow.on('data', (res) => res.events.forEach((e) => oseen.push(`${e.type} ${e.kv.key}`)));
  await c.put('/js/o/1').value('x');
  await c.delete().key('/js/o/1');
  say('ignore put', await oseen.take(1));
  await ow.cancel();

  const h0 = Number((await c.put('/js/h').value('h0')).header.revision);
  await c.put('/js/h').value('h1');
  await c.put('/js/h').value('h2');
  const hseen = collector();
  const hw = await c.watch().key('/js/h').startRevision(String(h0 + 1)).create();
  hw.on('put', (kv) => hseen.push(`${kv.value} mod=${rel(kv.mod_revision)}`));
  say('history watch', await hseen.take(2));
  await hw.cancel();

  say('== compact');
  await c.put('/js/cmp').value('c1');
  const crev = Number((await c.put('/js/cmp').value('c2')).header.revision);
  await c.kv.compact({ revision: crev });
  await attempt('get at compacted rev', () => c.get('/js/cmp').revision(crev - 1).string());
  await attempt('compact again', () => c.kv.compact({ revision: crev }).then(() => 'ok'));
  await attempt('compact future', () => c.kv.compact({ revision: crev + 1000 }).then(() => 'ok'));
  const cw = c.watch().key('/js/cmp').startRevision(String(crev - 1)).watcher();
  const cseen = collector();
  cw.on('error', (e) => cseen.push(`error ${err(e)}`));
  cw.on('connected', (res) => cseen.push(`connected compact=${res.compact_revision === '0' ? 0 : rel(res.compact_revision)}`));
  cw.on('put', (kv) => cseen.push(`put ${kv.value}`));
  say('watch from compacted rev', await cseen.take(2, 3000));
  // (the client's cancel() of a watcher the server canceled never settles: not called)
  say('get at compact rev', await c.get('/js/cmp').revision(crev).string());
  await c.kv.compact({ revision: Number((await c.put('/js/cmp').value('c3')).header.revision), physical: true });
  say('physical compact ok');

  say('== lock');
  const lock = c.lock('jslock').ttl(10);
  await lock.acquire();
  say('acquired, lock keys', (await c.getAll().prefix('jslock').keys()).length);
  const other = c.lock('jslock').ttl(10);
  const t0 = Date.now();
  await attempt('second acquire while held', () => other.acquire().then(() => 'acquired'));
  check(Date.now() - t0 < 5000, 'second acquire returned quickly');
  say('lease id set', (await lock.leaseId()) !== null);
  await lock.release();
  say('after release', (await c.getAll().prefix('jslock').keys()).length);
  say('do()', await c.lock('jslock').ttl(5).do(async () => (await c.getAll().prefix('jslock').keys()).length));
  check(EtcdLockFailedError !== undefined, 'error class exported');

  say('== election');
  const el = c.election('jsel', 5);
  const obs = await el.observe();
  const changes = collector();
  obs.on('change', (v) => changes.push(`change ${v}`));
  const camp1 = el.campaign('p1');
  await camp1.wait();
  say('p1 elected, leader', await el.leader());
  const camp2 = c.election('jsel', 5).campaign('p2');
  const elected2 = collector();
  camp2.on('elected', () => elected2.push('p2 elected'));
  camp2.on('error', (e) => elected2.push(`p2 error ${err(e)}`));
  await sleep(500);
  say('p2 waiting', elected2.items.length === 0);
  await camp1.proclaim('p1b');
  say('after proclaim leader', await el.leader());
  await camp1.resign();
  say('after resign', await elected2.take(1), 'leader', await el.leader());
  await camp2.resign();
  say('after p2 resign leader', await el.leader());
  // which intermediate values an observer sees depends on timing; the last leader must reach it
  const oend = Date.now() + T;
  while (!changes.items.includes('change p2') && Date.now() < oend) await sleep(50);
  say('observer saw p2', changes.items.includes('change p2'));
  await obs.cancel();
  await attempt('proclaim after resign', () => camp1.proclaim('x'));

  say('== cluster');
  const ml = await c.cluster.memberList({});
  say('members', ml.members.length, 'client url', ml.members[0].clientURLs.join(',') === hosts, 'name set', ml.members[0].name !== '');
  await attempt('remove unknown member', () => c.cluster.memberRemove({ ID: '4660' }).then(() => 'ok'));
  await attempt('update unknown member', () => c.cluster.memberUpdate({ ID: '4660', peerURLs: ['http://127.0.0.1:1'] }).then(() => 'ok'));
  const st = await c.maintenance.status();
  say('status version', st.version.split('.').slice(0, 2), 'leader is member', st.leader === ml.members[0].ID,
    'term', Number(st.raftTerm) >= 1, 'db>0', Number(st.dbSize) > 0);
  say('hash', typeof (await c.maintenance.hash()).hash);
  say('alarms', (await c.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' })).alarms);
  say('activate NOSPACE', (await c.maintenance.alarm({ action: 'Activate', memberID: 0, alarm: 'Nospace' })).alarms);
  // a separate client: the default fault handling retries this refusal and then opens its circuit breaker
  const full = new Etcd3(opts);
  await attempt('put under NOSPACE', () => full.put('/js/full').value('x').then(() => 'ok'));
  say('get under NOSPACE', await c.get('/js/t').string());
  full.close();
  say('deactivate', (await c.maintenance.alarm({ action: 'Deactivate', memberID: 0, alarm: 'Nospace' })).alarms);
  say('put after', await c.put('/js/full').value('x').then(() => 'ok'));
  await c.maintenance.defragment();
  say('defragment ok');
  const snap = await c.maintenance.snapshot();
  let size = 0;
  await new Promise((resolve, reject) => { snap.on('data', (d) => { size += d.blob.length; }); snap.on('end', resolve); snap.on('error', reject); });
  say('snapshot non-empty', size > 4096);

  say('== auth');
  await attempt('auth status', () => c.auth.authStatus().then((s) => s.enabled));
  await attempt('authenticate while disabled', () => c.auth.authenticate({ name: 'root', password: 'x' }).then(() => 'ok'));
  await attempt('enable without root', () => c.auth.authEnable().then(() => 'ok'));
  const root = await c.user('root').create('rootpw');
  await root.addRole('root');
  const role = await c.role('jsrole').create();
  await role.grant({ permission: 'Readwrite', range: c.range({ prefix: '/js/alice/' }) });
  await role.grant({ permission: 'Read', range: c.range({ prefix: '/js/ro/' }) });
  say('role perms', (await role.permissions()).map((p) => `${p.permission} ${p.range.start}..${p.range.end}`));
  const alice = await c.user('alice').create('alicepw');
  await alice.addRole('jsrole');
  say('users', (await c.getUsers()).map((u) => u.name).sort(), 'alice roles', (await alice.roles()).map((x) => x.name));
  await attempt('create user twice', () => c.user('alice').create('x').then(() => 'ok'));
  await attempt('add missing role', () => alice.addRole('nope').then(() => 'ok'));
  await attempt('create role twice', () => c.role('jsrole').create().then(() => 'ok'));
  await attempt('revoke role not granted', () => c.user('root').removeRole('jsrole').then(() => 'ok'));
  await attempt('delete missing user', () => c.user('ghost').delete().then(() => 'ok'));
  const tmp = await c.role('tmprole').create();
  await tmp.grant({ permission: 'Write', range: c.range({ start: '/js/a', end: '/js/b' }) });
  await tmp.grant({ permission: 'Read', range: c.range({ prefix: '/js/r/' }) });
  await tmp.revoke({ permission: 'Write', range: c.range({ start: '/js/a', end: '/js/b' }) });
  say('tmprole after revoke', (await tmp.permissions()).map((p) => `${p.permission} ${p.range.start}..${p.range.end}`));
  await attempt('revoke a permission it does not have', () => tmp.revoke({ permission: 'Read', range: c.range({ prefix: '/js/x/' }) }).then(() => 'ok'));
  const bob = await c.user('bob').create('bobpw');
  await bob.addRole(tmp);
  await bob.removeRole(tmp);
  say('bob roles after remove', (await bob.roles()).map((x) => x.name));
  await bob.delete();
  await tmp.delete();
  say('roles', (await c.getRoles()).map((x) => x.name).sort(), 'users', (await c.getUsers()).map((u) => u.name).sort());
  await c.put('/js/ro/k').value('readable');
  await c.auth.authEnable();
  say('auth enabled');
  await attempt('no token get', () => c.get('/js/t').string());
  const bad = new Etcd3({ ...opts, auth: { username: 'alice', password: 'bad' } });
  await attempt('wrong password', () => bad.get('/js/alice/k').string());
  bad.close();
  const a = new Etcd3({ ...opts, auth: { username: 'alice', password: 'alicepw' } });
  say('alice put', await a.put('/js/alice/k').value('mine').then(() => 'ok'), 'get', await a.get('/js/alice/k').string());
  say('alice read-only get', await a.get('/js/ro/k').string());
  await attempt('alice put read-only', () => a.put('/js/ro/k').value('x').then(() => 'ok'));
  await attempt('alice get outside', () => a.get('/js/t').string());
  await attempt('alice put outside', () => a.put('/js/t').value('x').then(() => 'ok'));
  await attempt('alice delete prefix outside', () => a.delete().prefix('/js/').then(() => 'ok'));
  await attempt('alice txn compare outside', () => a.if('/js/t', 'Value', '==', 'x').commit().then((x) => x.succeeded));
  await attempt('alice lease + put inside', async () => { const l = a.lease(10, { autoKeepAlive: false }); await l.put('/js/alice/l').value('x'); await l.revoke(); return 'ok'; });
  const aseen = collector();
  const aw = await a.watch().prefix('/js/alice/').create();
  aw.on('put', (kv) => aseen.push(`put ${kv.key}`));
  await a.put('/js/alice/w').value('watched');
  say('alice watch', await aseen.take(1));
  await aw.cancel();
  await attempt('alice lock outside', () => a.lock('/js/lk').ttl(5).acquire().then(() => 'acquired'));
  await attempt('alice user list', () => a.getUsers().then((u) => u.length));
  await attempt('alice member list', () => a.cluster.memberList({}).then((m) => m.members.length));
  // a separate client: the default fault handling counts this refusal as a host failure and opens its breaker
  const a2 = new Etcd3({ ...opts, auth: { username: 'alice', password: 'alicepw' } });
  await attempt('alice defragment', () => a2.maintenance.defragment().then(() => 'ok'));
  a2.close();
  const r2 = new Etcd3({ ...opts, auth: { username: 'root', password: 'rootpw' } });
  say('root reads', await r2.get('/js/alice/k').string(), await r2.get('/js/t').string());
  await r2.user('alice').setPassword('newpw');
  await attempt('alice after password change (old token)', () => a.get('/js/alice/k').string());
  await r2.auth.authDisable();
  say('auth disabled; no token get', await c.get('/js/t').string());
  a.close(); r2.close(); c.close();
  done = true;
  say('DONE');
}

main().then(() => process.exit(0), (e) => { say('CHECK FAILED: uncaught', err(e)); console.error(e); process.exit(2); });
