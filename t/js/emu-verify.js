// Checks Stripe-Signature headers of recorded webhook deliveries with the
// official stripe package's constructEvent, the reference the store's
// verifier follows.  Usage: node emu-verify.js SECRET FILE
// FILE is a JSON array of {"sig": header, "body": raw body}; prints a JSON
// array with, for each, the event id constructEvent returned or "error: ...".
'use strict';
const fs = require('fs');
const Stripe = require('stripe');

const [secret, file] = process.argv.slice(2);
const stripe = new Stripe('sk_test_unused');
const items = JSON.parse(fs.readFileSync(file, 'utf8'));
const out = items.map((it) => {
  try {
    return stripe.webhooks.constructEvent(it.body, it.sig, secret).id;
  } catch (e) {
    return 'error: ' + e.message;
  }
});
process.stdout.write(JSON.stringify(out) + '\n');
