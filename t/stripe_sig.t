#!/usr/bin/env node
// Webhook signatures: Stripe's own npm package (stripe-node) signs payloads,
// our C verifier ($ENROLL_BUILD/t/tools/stripe-sig-check) must accept them
// and refuse every tampering.  Each case is also put to stripe-node's
// constructEvent, and the two verdicts must agree, so our rules stay
// Stripe's rules.  Prints TAP.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const build = process.env.ENROLL_BUILD || 'build';
const tool = path.join(build, 't', 'tools', 'stripe-sig-check');

let Stripe;
try {
  Stripe = require(path.join(__dirname, 'node_modules', 'stripe'));
} catch (e) {
  console.log('1..0 # SKIP stripe npm package missing: run make deps');
  process.exit(0);
}
if (!fs.existsSync(tool)) {
  console.log(`not ok 1 - ${tool} is built`);
  console.log('1..1');
  process.exit(1);
}

const stripe = Stripe('sk_test_unused');
const wh = stripe.webhooks;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-sig-'));
const NOW = 1700000000;
const OLD = 'whsec_old_0123456789abcdef';
const NEW = 'whsec_new_fedcba9876543210';
const event = JSON.stringify({
  id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type:
  'checkout.session.completed', created: NOW, livemode: false,
  data: { object: { id: 'cs_test_a1', object: 'checkout.session',
    amount_total: 4900, currency: 'eur', metadata: { order_id: '42' } } },
}, null, 2) + '\n';

let n = 0;
let failed = 0;

function sign(payload, secret, timestamp, scheme) {
  return wh.generateTestHeaderString({ payload, secret, timestamp, scheme });
}

// Runs our verifier; returns { ok, out }.
function ours(secrets, header, body, now) {
  const file = path.join(dir, `body-${n}`);
  fs.writeFileSync(file, body);
  const r = spawnSync(tool, ['-n', String(now), secrets, header, file],
    { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`${tool} exited ${r.status}: ${r.stderr}`);
  return { ok: r.status === 0, out: r.stdout.trim() };
}

// stripe-node's verdict: any of the secrets accepts (each trimmed, as our
// list parser trims them).
function theirs(secrets, header, body, now) {
  return secrets.split(',').some((s) => {
    try {
      wh.constructEvent(body, header, s.trim(), 300, undefined, now * 1000);
      return true;
    } catch (e) {
      return false;
    }
  });
}

// want: 'accept' or the refusal reason our tool prints.
function check(name, secrets, header, body, now, want) {
  n++;
  const o = ours(secrets, header, body, now);
  const t = theirs(secrets, header, body, now);
  const got = o.ok ? 'accept' : o.out.replace(/^refuse: /, '');
  const agree = o.ok === t;
  if (got === want && agree) {
    console.log(`ok ${n} - ${name}`);
    return;
  }
  failed++;
  console.log(`not ok ${n} - ${name}`);
  console.log(`#   ours: ${o.out} (wanted ${want}); stripe-node: ` +
    `${t ? 'accept' : 'refuse'}`);
  console.log(`#   header: ${header}`);
}

const good = sign(event, NEW, NOW);
const v1 = good.split(',v1=')[1];

check('a payload signed by stripe-node is accepted', NEW, good, event, NOW,
  'accept');
const unicode = JSON.stringify({ id: 'evt_u', object: 'event',
  data: { object: { name: 'Café ☃ «C» 日本' } } });
check('a UTF-8 payload is accepted', NEW, sign(unicode, NEW, NOW), unicode,
  NOW, 'accept');
check('one byte of the body changed is refused', NEW, good,
  event.replace('4900', '4901'), NOW, 'mismatch');
check('a body with one more newline is refused', NEW, good, event + '\n',
  NOW, 'mismatch');
check('a body re-serialised without spaces is refused', NEW, good,
  JSON.stringify(JSON.parse(event)), NOW, 'mismatch');
check('the timestamp changed in the header is refused', NEW,
  `t=${NOW + 1},v1=${v1}`, event, NOW, 'mismatch');
check('a signature 299 s old is accepted', NEW, sign(event, NEW, NOW - 299),
  event, NOW, 'accept');
check('a signature 300 s old is accepted', NEW, sign(event, NEW, NOW - 300),
  event, NOW, 'accept');
check('a signature 301 s old is refused as stale', NEW,
  sign(event, NEW, NOW - 301), event, NOW, 'stale');
check('a signature a day old is refused as stale', NEW,
  sign(event, NEW, NOW - 86400), event, NOW, 'stale');
check('a timestamp ahead of our clock is accepted, as stripe-node does',
  NEW, sign(event, NEW, NOW + 600), event, NOW, 'accept');
check('a payload signed with another secret is refused', NEW,
  sign(event, 'whsec_attacker', NOW), event, NOW, 'mismatch');
check('the bare secret without whsec_ is a different key', NEW,
  sign(event, NEW.slice(6), NOW), event, NOW, 'mismatch');
check('a header with the signature removed is refused', NEW, `t=${NOW}`,
  event, NOW, 'no v1 signature');
check('a header with only a v0 signature is refused', NEW,
  sign(event, NEW, NOW, 'v0'), event, NOW, 'no v1 signature');
check('a header with the timestamp removed is refused', NEW, `v1=${v1}`,
  event, NOW, 'malformed');
check('a header with a space after the comma is refused', NEW,
  `t=${NOW}, v1=${v1}`, event, NOW, 'no v1 signature');
check('a header with spaces around = is refused', NEW,
  `t=${NOW},v1 = ${v1}`, event, NOW, 'no v1 signature');
check('an upper-case hex signature is refused', NEW,
  `t=${NOW},v1=${v1.toUpperCase()}`, event, NOW, 'mismatch');
check('a truncated signature is refused', NEW,
  `t=${NOW},v1=${v1.slice(0, 63)}`, event, NOW, 'mismatch');
check('an empty header is refused', NEW, '', event, NOW, 'missing');
check('a garbage header is refused', NEW, 'hello', event, NOW, 'malformed');
check('rotation: the old secret still verifies with both configured',
  `${NEW},${OLD}`, sign(event, OLD, NOW), event, NOW, 'accept');
check('rotation: the new secret verifies with both configured',
  `${OLD}, ${NEW}`, good, event, NOW, 'accept');
check('rotation: the old secret alone no longer verifies once removed',
  NEW, sign(event, OLD, NOW), event, NOW, 'mismatch');
const both = `t=${NOW},v1=${sign(event, OLD, NOW).split(',v1=')[1]},v1=${v1}`;
check('a header with two v1 (Stripe during rotation) matches the old', OLD,
  both, event, NOW, 'accept');
check('a header with two v1 (Stripe during rotation) matches the new', NEW,
  both, event, NOW, 'accept');
check('v0 and unknown elements beside a good v1 are ignored', NEW,
  `t=${NOW},v0=${'0'.repeat(64)},v1=${v1},x9=whatever`, event, NOW,
  'accept');

console.log(`1..${n}`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
