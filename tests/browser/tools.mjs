// tools.mjs: are the browser test's tools the versions it needs?
//
//   node tools.mjs    prints one line per problem and exits 1, or exits 0
//
// Two checks, each read from the installed driver rather than written here,
// so that a new pin in package.json needs no edit in this file:
//   - Node.js against playwright-core's `engines.node` (its package.json);
//   - the browser (FOLIO_CHROMIUM, default /usr/bin/chromium) against the
//     Chromium major version this playwright-core release is built for
//     (its browsers.json). An older browser may lack the DevTools protocol
//     calls the driver makes; a newer one is what Debian's security updates
//     bring, and works.
// This file must run on any Node.js old enough to be refused: it uses only
// node: built-ins and no syntax newer than ES2019.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DRIVER = path.join(HERE, 'node_modules', 'playwright-core');

function parseVersion(text) {
  const m = /^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(text.trim());
  if (!m)
    return null;
  const part = (s) => (s === undefined || s === 'x' || s === '*' ? null : Number(s));
  return [Number(m[1]), part(m[2]), part(m[3])];
}

function compare(a, b) {
  for (let i = 0; i < 3; i++)
    if ((a[i] || 0) !== (b[i] || 0))
      return (a[i] || 0) < (b[i] || 0) ? -1 : 1;
  return 0;
}

// One comparator of a range ("\u003e=18", "^18.2", "18.x"); null when unreadable.
function comparatorHolds(version, text) {
  const m = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(text);
  const want = m && parseVersion(m[2]);
  if (!want)
    return null;
  const c = compare(version, want);
  switch (m[1] || '=') {
    case '>=': return c >= 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '<': return c < 0;
    case '^': return c >= 0 && version[0] === want[0];
    case '~': return c >= 0 && version[0] === want[0] && (want[1] === null || version[1] === want[1]);
    default: // "18" or "18.x" matches every 18.*.*
      return want.every((n, i) => n === null || n === version[i]);
  }
}

// npm's range syntax, as far as engines fields use it: "a || b", each a list
// of comparators that must all hold. Returns null when the range is unreadable.
export function satisfies(versionText, range) {
  const version = parseVersion(versionText);
  if (!version)
    return null;
  let any = false;
  for (const alternative of range.split('||')) {
    const comparators = alternative.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/);
    let all = true;
    for (const comparator of comparators) {
      const holds = comparatorHolds(version, comparator);
      if (holds === null)
        return null;
      all = all && holds;
    }
    any = any || all;
  }
  return any;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// The problem with Node.js, or null.
export function nodeProblem() {
  const pkg = readJson(path.join(DRIVER, 'package.json'));
  if (!pkg)
    return 'playwright-core is not installed (cd tests/browser && npm ci)';
  const range = pkg.engines && pkg.engines.node;
  if (!range)
    return null;
  const ok = satisfies(process.versions.node, range);
  if (ok === null)
    return `cannot read playwright-core ${pkg.version}'s engines.node "${range}"`;
  if (!ok)
    return `Node.js ${process.versions.node} is too old for playwright-core ${pkg.version}, ` +
      `which needs Node.js ${range} (tests/browser/package.json pins it)`;
  return null;
}

export function browserPath() {
  return process.env.FOLIO_CHROMIUM || '/usr/bin/chromium';
}

// The problem with the browser, or null.
export function browserProblem() {
  const browser = browserPath();
  try {
    fs.accessSync(browser, fs.constants.X_OK);
  } catch {
    return `no browser at ${browser} (apt-get install chromium, or set FOLIO_CHROMIUM)`;
  }
  const run = spawnSync(browser, ['--version'], { encoding: 'utf8', timeout: 30000 });
  const m = /(\d+)\.\d+\.\d+/.exec(run.stdout || '');
  if (run.status !== 0 || !m)
    return `${browser} --version did not give a version: ${(run.stderr || run.error || '').toString().trim().split('\n').pop()}`;
  const have = Number(m[1]);
  const drivers = readJson(path.join(DRIVER, 'browsers.json'));
  const chromium = drivers && drivers.browsers.find((b) => b.name === 'chromium');
  const need = chromium && Number(chromium.browserVersion.split('.')[0]);
  if (need && have < need)
    return `${browser} is Chromium ${m[0]}, older than ${need}, which this playwright-core drives ` +
      '(apt-get update && apt-get install chromium)';
  return null;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = [nodeProblem(), browserProblem()].filter(Boolean);
  for (const p of problems)
    console.error(`browser test: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
