// Validates a FHIR R4 Bundle (a file exported by `ehr-host fhir export`) with an independent
// validator, the npm package fhir (FHIR.js, R4 4.0 definitions): the Bundle itself, then every
// entry's resource on its own. Prints one line per resource; exits 1 if any is invalid (each
// error with its location), 2 when the file cannot be read or is not a Bundle.
// Usage: node validate.js BUNDLE.json [--expect TYPE=COUNT ...]
'use strict';
const fs = require('fs');
const { Fhir } = require('fhir');

const args = process.argv.slice(2);
const file = args.shift();
if (!file) {
  console.error('usage: node validate.js BUNDLE.json [--expect TYPE=COUNT ...]');
  process.exit(2);
}
const expected = {};
while (args.length) {
  const flag = args.shift();
  const value = args.shift() || '';
  const match = /^([A-Za-z]+)=(\d+)$/.exec(value);
  if (flag !== '--expect' || !match) {
    console.error(`unexpected argument '${flag} ${value}'; give --expect TYPE=COUNT`);
    process.exit(2);
  }
  expected[match[1]] = Number(match[2]);
}

let bundle;
try {
  bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`${file}: cannot read it as JSON: ${e.message}`);
  process.exit(2);
}
if (bundle.resourceType !== 'Bundle' || bundle.type !== 'collection') {
  console.error(`${file}: not a Bundle of type collection`);
  process.exit(2);
}

const fhir = new Fhir();
// errorOnUnexpected: a property R4 does not define is an error, not a warning.
const options = { errorOnUnexpected: true };
let failures = 0;
function check(label, resource) {
  const result = fhir.validate(resource, options);
  const errors = result.messages.filter((m) => m.severity === 'error');
  console.log(`${errors.length ? 'INVALID' : 'valid  '} ${label}`);
  for (const e of errors) console.log(`    ${e.location}: ${e.message}`);
  if (errors.length) failures++;
}

check(`Bundle (${(bundle.entry || []).length} entries)`, bundle);
const counts = {};
(bundle.entry || []).forEach((entry, i) => {
  const resource = entry.resource || {};
  counts[resource.resourceType] = (counts[resource.resourceType] || 0) + 1;
  check(`entry[${i}] ${resource.resourceType}/${resource.id}`, resource);
});
for (const [type, count] of Object.entries(expected)) {
  if ((counts[type] || 0) < count) {
    console.log(`MISSING ${type}: ${counts[type] || 0} in the Bundle, expected at least ${count}`);
    failures++;
  }
}
console.log(
  failures ? `${failures} problem(s) in ${file}` : `every resource of ${file} is valid FHIR R4 (${JSON.stringify(counts)})`
);
process.exit(failures ? 1 : 0);
