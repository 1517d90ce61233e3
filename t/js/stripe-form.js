#!/usr/bin/env node
// Prints how the official stripe-node package form-encodes a request:
//   node t/js/stripe-form.js '{"mode":"payment","metadata":{"order_id":"42"}}'
// The JSON object's key order is kept, so t/stripe_client.t can compare
// stripe-node's bytes with what lib/stripe sent for the same parameters.
'use strict';

const path = require('path');
// utils.js is not exported by the package; a file path bypasses "exports".
const utils = require(path.join(__dirname, '..', 'node_modules', 'stripe',
  'cjs', 'utils.js'));

if (process.argv.length !== 3) {
  process.stderr.write('usage: stripe-form.js JSON\n');
  process.exit(2);
}
process.stdout.write(utils.queryStringifyRequestData(
  JSON.parse(process.argv[2])) + '\n');
