// e2e.mjs: folio end to end in a real browser. A reader posts a comment
// through the article's form, an editor signs in at /admin/login and
// approves it in the queue, and the reader's page then shows it; the same
// comment sent again is refused, and the reader lands at the form. A reader
// ticks "Notify me of follow-up comments by email." and confirms from the
// mail; the editor, not signed in, approves the comment from the link in
// the editors' mail, and the subscriber is mailed that it is published
// (folio runs with --notify-email and a stand-in sendmail that keeps each
// message as a file). The reader edits a second comment and then withdraws
// it. A
// WordPress export full of hostile markup (the integration tests' fixture)
// is imported, and nothing of it runs in the browser. The look: an article
// with 20 comments (imported from a WordPress export made here) at 1280 and
// 390 pixels wide, light and dark, and in print, checked for sideways
// scrolling, the dark palette, and what print hides and shows; the
// screenshots are saved for people to look at.
//
// Starts its own `folio serve` on a free loopback port in a temporary
// directory, drives Debian's chromium (headless) with playwright-core.
//
// Environment:
//   FOLIO_BIN       the folio binary (required)
//   FOLIO_WWW       www/ directory (default: ../../www from this file)
//   FOLIO_CHROMIUM  the browser (default /usr/bin/chromium)
//   FOLIO_SCREENSHOTS  a directory to save the look's screenshots in
//                   (ctest sets it to screenshots/ in the build directory);
//                   unset: they are taken but not kept
//   CI              when "true", a missing or too old browser, playwright-core
//                   or Node.js (tools.mjs) fails the test; otherwise it is
//                   skipped (exit 77)
// Prints "N passed, N failed" at the end; exit 0 when all passed.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserPath, browserProblem, nodeProblem } from './tools.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SKIP = 77;
const PASSWORD = 'a long enough browser password';
const SLUG = 'tram-line-opens';
const ARTICLE = `---
title: New tram line opens to the harbour
slug: ${SLUG}
author: City Desk
date: 2026-03-20T07:00:00Z
tags: transport
status: published
comments: open
---
The first trams ran this morning. Readers are invited to say how their journey went.
`;
const STEP_TIMEOUT = 20000;
// Starting Chromium takes longer than a step when the machine is busy (a
// full ctest -j2 next to other builds): seen over 20 s at a load of 26.
const LAUNCH_TIMEOUT = 90000;
const EDITORS = 'editors@example.org';
// A stand-in sendmail: checks its arguments are -t -i, keeps the message.
const SENDMAIL = `#!/bin/sh
[ "$1" = "-t" ] && [ "$2" = "-i" ] && [ $# -eq 2 ] || { echo "bad args: $*" >&2; exit 64; }
tmp="$0.mail/.tmp.$$"
cat > "$tmp" || exit 74
mv "$tmp" "$0.mail/msg.$(date +%s%N).$$.eml"
`;
// A WordPress export whose "storm-warning" post and its comments carry an
// XSS corpus (scripts, event attributes, javascript: and data: URLs, SVG and
// MathML tricks), shared with tests/integration/test_wordpress.py.
const HOSTILE_WXR = path.join(HERE, '..', 'integration', 'fixtures', 'wxr', 'harbour-news-https.xml');
const HOSTILE_SLUG = 'storm-warning';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function skipOrFail(reason) {
  if (process.env.CI === 'true') {
    console.error(`browser test: ${reason}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`browser test skipped: ${reason}`);
  process.exit(SKIP);
}

async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch {
    skipOrFail('playwright-core is not installed (cd tests/browser && npm ci)');
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function folio(bin, args, input) {
  const r = spawnSync(bin, args, { input: input ?? '', encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0)
    throw new Error(`folio ${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

// RFC 2047 encoded words (=?UTF-8?B?...?=, as folio writes a subject).
function decodeWords(value) {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc, text) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8')
      : text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (__, h) => String.fromCharCode(parseInt(h, 16))));
}

// One message as the stand-in sendmail kept it: {headers (lower-case
// names), text (the body, decoded), links}.
function readMail(file) {
  const raw = fs.readFileSync(file, 'utf8');
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  let text = raw.slice(split).trim();
  if ((headers['content-transfer-encoding'] || '').toLowerCase() === 'base64')
    text = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
  text = text.replace(/\r\n/g, '\n');
  return { headers, text, links: text.match(/https?:\/\/[^\s<>"]+/g) || [] };
}

// A folio server with one article and one editor; stop() ends it.
async function startServer(bin, www, tmp) {
  const db = path.join(tmp, 'folio.db');
  const wwwArgs = ['--www', www];
  folio(bin, ['init', '--db', db, ...wwwArgs]);
  const article = path.join(tmp, `${SLUG}.md`);
  fs.writeFileSync(article, ARTICLE);
  folio(bin, ['article', 'import', article, '--db', db]);
  folio(bin, ['user', 'add', 'editor', '--db', db], `${PASSWORD}\n`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const sendmail = path.join(tmp, 'sendmail');
  fs.writeFileSync(sendmail, SENDMAIL, { mode: 0o755 });
  fs.mkdirSync(`${sendmail}.mail`);
  const log = fs.openSync(path.join(tmp, 'folio.log'), 'a');
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--db', db,
    '--min-submit-seconds', '0', '--base-url', base, '--notify-email', EDITORS,
    '--sendmail', sendmail, ...wwwArgs], { stdio: ['ignore', log, log] });
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`folio serve exited ${child.exitCode}: ${fs.readFileSync(path.join(tmp, 'folio.log'), 'utf8')}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200)
        break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline)
      throw new Error('folio serve did not answer /healthz within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    // another process writing the same database, as an operator would
    importWordPress: (file) => folio(bin, ['import', 'wordpress', file, '--db', db, ...wwwArgs]),
    log: () => fs.readFileSync(path.join(tmp, 'folio.log'), 'utf8'),
    // The first message sent so far for which match(mail) holds, waited for.
    mail: async (what, match) => {
      const deadline = Date.now() + STEP_TIMEOUT;
      for (;;) {
        const dir = `${sendmail}.mail`;
        const all = fs.readdirSync(dir).filter((f) => f.startsWith('msg.')).sort()
          .map((f) => readMail(path.join(dir, f)));
        const found = all.find(match);
        if (found)
          return found;
        if (Date.now() > deadline)
          throw new Error(`no ${what} within ${STEP_TIMEOUT / 1000} s; mail sent: ` +
            JSON.stringify(all.map((m) => [m.headers.to, m.headers.subject])));
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null)
        return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    }),
  };
}

// One browser with a fresh profile of its own (its own cookies).
async function openBrowser(chromium, executablePath, tmp, name) {
  const profile = fs.mkdtempSync(path.join(tmp, `profile-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: LAUNCH_TIMEOUT,
  });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = context.pages()[0] ?? await context.newPage();
  return { context, page };
}

const results = [];
async function step(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split('\n').join('\n     ')}`);
    throw e;
  }
}

function check(cond, message) {
  if (!cond)
    throw new Error(message);
}

async function scenario(server, reader, editor, text) {
  const article = `${server.base}/articles/${SLUG}`;
  let commentId;

  await step('reader posts a comment through the form', async () => {
    const { page } = reader;
    await page.goto(article);
    await page.fill('#author', 'Rita Reader');
    await page.fill('#email', 'rita@example.com');
    await page.fill('#comment', text);
    await Promise.all([page.waitForURL((u) => u.pathname === `/articles/${SLUG}`), page.click('#submit')]);
    const mine = page.locator('#comments [id^="comment-"]').filter({ hasText: text }).last();
    await mine.waitFor();
    const id = await mine.getAttribute('id');
    commentId = id && id.replace('comment-', '');
    check(commentId && /^\d+$/.test(commentId), `no comment-{id} element holds the text (got ${id})`);
    const awaiting = await page.locator(`#comment-${commentId}`).innerText();
    check(awaiting.includes('Your comment is awaiting moderation.'), `not marked as awaiting moderation: ${awaiting}`);
  });

  await step('nobody else sees it before approval', async () => {
    const { page } = editor;
    await page.goto(article);
    check(await page.locator(`#comment-${commentId}`).count() === 0, 'a stranger sees a pending comment');
  });

  await step('the editor signs in', async () => {
    const { page } = editor;
    await page.goto(`${server.base}/admin/`);
    check(new URL(page.url()).pathname === '/admin/login', `not sent to the login page: ${page.url()}`);
    await page.fill('#username', 'editor');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin/'), page.click('button[type=submit]')]);
    const heading = await page.locator('h1').innerText();
    check(heading.startsWith('Comments'), `the queue did not open: ${heading}`);
    const cookies = await editor.context.cookies(`${server.base}/admin/`);
    const session = cookies.find((c) => c.name === 'folio_session');
    check(session && session.httpOnly && session.sameSite === 'Strict' && session.path === '/admin',
      `session cookie flags: ${JSON.stringify(session)}`);
  });

  await step('the editor approves it in the queue', async () => {
    const { page } = editor;
    const item = page.locator(`#comment-${commentId}`);
    check((await item.innerText()).includes(text), 'the comment is not in the queue');
    await Promise.all([
      page.waitForNavigation(),
      item.locator('button[value=approve]').click(),
    ]);
    const flash = await page.locator('[role=status]').innerText();
    check(flash.trim() === '1 comment approved.', `message after approving: ${flash}`);
    check(await page.locator(`#comment-${commentId}`).count() === 0, 'still in the queue');
  });

  await step('Undo puts it back in the queue; the message is shown once', async () => {
    const { page } = editor;
    await Promise.all([page.waitForNavigation(), page.locator('button[value=undo]').click()]);
    const flash = await page.locator('[role=status]').innerText();
    check(flash.trim() === '1 comment put back as it was.', `message after Undo: ${flash}`);
    check(await page.locator(`#comment-${commentId}`).count() === 1, 'not back in the queue');
    await page.reload();
    check(await page.locator('[role=status]').count() === 0, 'the message came back on reload');
  });

  await step('Tick all ticks in place; skip link, Tab, Enter approves', async () => {
    const { page } = editor;
    const url = page.url();
    await page.locator('.admin-tick-all').click();
    const boxes = page.locator('input[type=checkbox][form=bulk]');
    check(page.url() === url && await boxes.count() > 0, 'Tick all loaded a page');
    for (let i = 0; i < await boxes.count(); i++)
      check(await boxes.nth(i).isChecked(), 'a box is not ticked');
    await page.locator('.admin-tick-all').click();
    check(!(await boxes.first().isChecked()), 'Untick all left a box ticked');
    await page.goto(url);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement.value);
    check(focused === 'approve', `two stops in, the focus is on ${focused}`);
    const first = await page.locator('.admin-comment').first().getAttribute('id');
    check(first === `comment-${commentId}`, `the first comment is ${first}`);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const flash = await page.locator('[role=status]').innerText();
    check(flash.trim() === '1 comment approved.', `message after approving: ${flash}`);
  });

  await step("the reader's page shows it, approved", async () => {
    const { page } = reader;
    await page.goto(article);
    const el = page.locator(`#comments #comment-${commentId}`);
    await el.waitFor();
    const shown = await el.innerText();
    check(shown.includes(text), `the text is not shown: ${shown}`);
    check(!shown.includes('awaiting moderation'), 'still marked as awaiting moderation');
  });

  await step('and so does everyone else', async () => {
    const { page } = editor;
    await page.goto(article);
    check(await page.locator(`#comments #comment-${commentId}`).count() === 1, 'not shown to others');
  });

  await step('the log names the editor', async () => {
    const { page } = editor;
    await page.goto(`${server.base}/admin/log`);
    const row = await page.locator('tbody tr').first().innerText();
    check(row.includes('editor') && row.includes(`#${commentId}`) && row.includes('approved'),
      `log row: ${row}`);
  });
}

// A refused comment (here a duplicate, 409) on a phone-sized screen: the
// browser keeps the form's #respond across the POST, so the page opens at
// the form with its message in view; reloading that address leads back to
// the form rather than to a 405.
async function refusedScenario(server, reader, text) {
  const article = `${server.base}/articles/${SLUG}`;
  const { page } = reader;

  await step('a refused comment opens at the form, its message in view', async () => {
    await page.setViewportSize({ width: 360, height: 640 });
    await page.goto(article);
    await page.fill('#author', 'Rita Reader');
    await page.fill('#email', 'rita@example.com');
    await page.fill('#comment', text);
    await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/comments')), page.click('#submit')]);
    const url = new URL(page.url());
    check(url.hash === '#respond', `the refused page is not at the form: ${page.url()}`);
    const message = page.locator('#respond .form-message');
    check((await message.innerText()).includes('Duplicate comment'), 'no message at the form');
    const box = await message.boundingBox();
    check(box && box.y >= 0 && box.y + box.height <= 640, `the message is out of view: ${JSON.stringify(box)}`);
    check(await page.inputValue('#comment') === text, 'the text was not kept');
  });

  await step('going to that address again leads back to the form', async () => {
    // (the same address with its fragment would only scroll the page)
    await page.goto(`${article}/comments`);
    const url = new URL(page.url());
    check(url.pathname === `/articles/${SLUG}` && url.hash === '#respond', `landed at ${page.url()}`);
    check(await page.locator('#commentform').count() === 1, 'no form');
  });
}

// Notifications in the browser: the reader subscribes and confirms from
// the mail; the editor approves from the link in the editors' mail, in a
// browser where nobody is signed in; everyone then sees the comment, and
// the subscriber is mailed about it.
async function mailScenario(server, reader, mailbox) {
  const article = `${server.base}/articles/${SLUG}`;
  const email = 'sam.subscriber@example.net';
  const text = `Mail me when this is up ${Date.now()}.`;
  const mailOf = (to, words) => (m) => m.headers.to === to && words.every((w) => m.text.includes(w));
  let commentId;

  await step('a reader ticks "Notify me of follow-up comments by email." and posts', async () => {
    const { page } = reader;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(article);
    const label = await page.locator('label[for=subscribe]').innerText();
    check(label.trim() === 'Notify me of follow-up comments by email.', `the box's label: ${label}`);
    check(!(await page.locator('#subscribe').isChecked()), 'the box is ticked before the reader ticks it');
    await page.fill('#author', 'Sam Subscriber');
    await page.fill('#email', email);
    await page.fill('#comment', text);
    await page.locator('label[for=subscribe]').click();
    check(await page.locator('#subscribe').isChecked(), 'clicking the label did not tick the box');
    await Promise.all([page.waitForURL((u) => u.pathname === `/articles/${SLUG}`), page.click('#submit')]);
    const mine = page.locator('#comments [id^="comment-"]').filter({ hasText: text }).last();
    await mine.waitFor();
    commentId = (await mine.getAttribute('id')).replace('comment-', '');
    check((await mine.innerText()).includes('Your comment is awaiting moderation.'), 'not awaiting moderation');
  });

  await step('the reader confirms from the link in the mail', async () => {
    const mail = await server.mail('confirmation mail', (m) => m.headers.to === email);
    check(/confirm/i.test(mail.headers.subject), `the first mail's subject: ${mail.headers.subject}`);
    const links = mail.links.filter((l) => l.startsWith(`${server.base}/subscriptions/confirm/`));
    check(links.length === 1, `confirmation links in the mail: ${mail.links.join(' ')}`);
    const { page } = reader;
    await page.goto(links[0]);
    check((await page.locator('h1').innerText()).trim() === 'Confirm your subscription',
      `the link's page: ${await page.locator('h1').innerText()}`);
    await Promise.all([page.waitForNavigation(), page.click('#subscription-form button')]);
    check((await page.locator('h1').innerText()).trim() === 'Subscribed',
      `after the button: ${await page.locator('h1').innerText()}`);
  });

  await step("the editor opens the approve link from the editors' mail, sees the comment, approves", async () => {
    const mail = await server.mail("editors' mail", mailOf(EDITORS, [text]));
    const approve = /^Approve it: (\S+)$/m.exec(mail.text);
    check(approve && approve[1].startsWith(`${server.base}/admin/mail/`), `no approve link in: ${mail.text}`);
    const { page } = mailbox;
    await page.goto(approve[1]);
    check((await page.locator('h1').innerText()).trim() === 'Approve this comment?',
      `the link's page: ${await page.locator('h1').innerText()}`);
    const shown = await page.locator('#mail-link-comment').innerText();
    check(shown.includes(text) && shown.includes('Sam Subscriber'), `the comment is not shown: ${shown}`);
    await Promise.all([page.waitForNavigation(), page.click('#mail-link-form button')]);
    check((await page.locator('h1').innerText()).trim() === 'Approved',
      `after the button: ${await page.locator('h1').innerText()}`);
    check((await page.locator('#mail-link-message').innerText()).includes('shown on the site'),
      'no word that it is shown');
    check(new URL(page.url()).pathname.startsWith('/admin/mail/'), `sent to a sign-in: ${page.url()}`);
  });

  await step('the comment shows on the article, to anyone', async () => {
    const { page } = mailbox;
    await page.goto(article);
    const el = page.locator(`#comments #comment-${commentId}`);
    check(await el.count() === 1, 'not on the article');
    const shown = await el.innerText();
    check(shown.includes(text) && !shown.includes('awaiting moderation'), `shown as: ${shown}`);
  });

  await step('the subscriber is mailed that it is published, and its link leads to it', async () => {
    const mail = await server.mail('"published" mail',
      (m) => m.headers.to === email && /published/.test(m.headers.subject));
    const link = mail.links.find((l) => l.endsWith(`#comment-${commentId}`));
    check(link, `no link to the comment in: ${mail.text}`);
    check(/^<http:\/\/127\.0\.0\.1:\d+\/subscriptions\/unsubscribe\/\S+>$/.test(mail.headers['list-unsubscribe'] || ''),
      `List-Unsubscribe: ${mail.headers['list-unsubscribe']}`);
    const { page } = reader;
    await page.goto(link);
    check((await page.locator(`#comment-${commentId}`).innerText()).includes(text), 'the link does not show the comment');
  });
}

// The reader's own pending comment: Edit and Withdraw beside it, each a
// page of its own that works without script; the editor's log then names
// the reader as the one who withdrew it.
async function ownCommentScenario(server, reader, editor) {
  const article = `${server.base}/articles/${SLUG}`;
  const { page } = reader;
  const text = `A second thought, in haste ${Date.now()}.`;
  const edited = `A second thought, put better ${Date.now()}.`;
  let mine;

  await step('the reader sees Edit and Withdraw beside a second comment', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(article);
    await page.fill('#author', 'Rita Reader');
    await page.fill('#email', 'rita@example.com');
    await page.fill('#comment', text);
    await Promise.all([page.waitForURL((u) => u.pathname === `/articles/${SLUG}`), page.click('#submit')]);
    mine = page.locator('#comments [id^="comment-"]').filter({ hasText: text }).last();
    await mine.waitFor();
    check(await mine.locator('.comment-edit-link').count() === 1, 'no Edit link');
    check(await mine.locator('.comment-withdraw-link').count() === 1, 'no Withdraw link');
  });

  await step('the reader edits it', async () => {
    const id = await mine.getAttribute('id');
    await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/edit')), mine.locator('.comment-edit-link').click()]);
    check(await page.inputValue('#comment') === text, 'the edit form is not prefilled');
    await page.fill('#comment', edited);
    await Promise.all([page.waitForURL((u) => u.pathname === `/articles/${SLUG}`), page.click('#submit')]);
    const shown = await page.locator(`#${id}`).innerText();
    check(shown.includes(edited) && !shown.includes(text), `the edit is not shown: ${shown}`);
    check(shown.includes('Your comment is awaiting moderation.'), 'no longer marked as awaiting moderation');
    mine = page.locator(`#${id}`);
  });

  await step('the reader withdraws it, after confirming', async () => {
    const id = await mine.getAttribute('id');
    await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/withdraw')), mine.locator('.comment-withdraw-link').click()]);
    check((await page.locator('blockquote').innerText()).includes(edited), 'the confirmation does not show the text');
    await Promise.all([page.waitForNavigation(), page.click('#withdraw')]);
    check((await page.locator('[role=status]').innerText()).includes('withdrawn'), 'no word that it was withdrawn');
    await page.goto(article);
    check(await page.locator(`#${id}`).count() === 0, 'still on the page');
  });

  await step('the log says its author withdrew it', async () => {
    await editor.page.goto(`${server.base}/admin/log`);
    const row = await editor.page.locator('tbody tr').first().innerText();
    check(row.includes('Rita Reader') && row.includes("the comment's author") && row.includes('withdrawn'),
      `log row: ${row}`);
  });
}

// The imported hostile post and its comments, opened, clicked and hovered
// in a real browser: no dialog opens, no script runs, and no element keeps
// a handler or a script URL.
async function hostileImportScenario(server, reader) {
  const { page } = reader;
  const dialogs = [];
  const onDialog = (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); };
  page.on('dialog', onDialog);
  try {
    await step('an imported WordPress post full of XSS runs nothing', async () => {
      server.importWordPress(HOSTILE_WXR);
      await page.setViewportSize({ width: 1280, height: 900 });
      const r = await page.goto(`${server.base}/articles/${HOSTILE_SLUG}`);
      check(r && r.status() === 200, `the imported post answered ${r && r.status()}`);
      const text = await page.locator('article, main').first().innerText();
      check(text.includes('Gale force winds'), 'the post body is not shown');
      for (const sel of ['main p', 'main td', 'main a', 'main img', '#comments p', '#comments a']) {
        const all = page.locator(sel);
        for (let i = 0; i < Math.min(await all.count(), 40); i++) {
          await all.nth(i).hover({ timeout: 2000 }).catch(() => {});
          if (!sel.endsWith(' a'))   // links would navigate away
            await all.nth(i).click({ timeout: 2000 }).catch(() => {});
        }
      }
      await page.waitForTimeout(300);
      check(dialogs.length === 0, `a dialog opened: ${dialogs.join(' | ')}`);
      const active = await page.evaluate(() => {
        const bad = [];
        for (const el of document.querySelectorAll('body *')) {
          if (el.tagName === 'SCRIPT' && el.type !== 'application/ld+json')
            bad.push('script');
          for (const a of el.attributes) {
            if (/^on/i.test(a.name))
              bad.push(`${el.tagName}[${a.name}]`);
            if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) &&
                /^\s*(javascript|data|vbscript):/i.test(a.value))
              bad.push(`${el.tagName}[${a.name}=${a.value.slice(0, 30)}]`);
          }
        }
        return bad;
      });
      check(active.length === 0, `active markup left in the page: ${active.join(', ')}`);
    });
  } finally {
    page.off('dialog', onDialog);
  }
}

// The look's page: an article shaped like a news story (headings, a list, a
// quotation, a link inside the site and one to another site) with 20
// approved comments of the lengths readers write, seven of them replies
// (three levels deep at most), some authors with a website.
const LOOK_SLUG = 'bridge-cost-review';
const LOOK_EXTERNAL = 'https://council.example/papers/bridge-review';
const LOOK_BODY = `<p>The Harbour Bridge carried its first cars at dawn on Saturday, two years and four months
after engineers closed it when a routine inspection found cracks in three of the steel hangers.</p>
<p>"I have driven that detour seven hundred times," said Maria Okonjo, a nurse who works night shifts
at the general hospital on the south bank. "Today it took me nine minutes."</p>
<h2>What was wrong, and what was done</h2>
<p>The repair replaced all 48 hangers, not just the cracked ones, and renewed the bearings at both
abutments. The footway on the east side was widened from 1.8 to 3 metres.</p>
<ul><li>48 new hangers, each tested to twice its working load</li><li>4 new expansion joints</li>
<li>a footway nearly twice as wide, with a separated cycle lane</li></ul>
<blockquote><p>We would not bet a school bus on the fourth one.</p></blockquote>
<h2>The cost</h2>
<p>The city put the final bill at 61.4 million, against an estimate of 38 million. The council's
<a href="${LOOK_EXTERNAL}">review of the contract</a> is due in the summer.</p>
<p>Read This: <a href="/articles/${SLUG}">New tram line opens to the harbour</a></p>`;
const LOOK_NAMES = ['Ruth Calloway', 'Tom Hale', 'Ines Okafor', 'Priya Raman', 'Sam Ortiz',
  'Hana Sato', 'Olu Adeyemi', 'Marta Nowak', 'Jon Berg', 'Ada Quist'];
const LOOK_TEXTS = [
  'Walked across at seven this morning. The new footway is a real improvement: two prams can pass without anyone stepping into the road.',
  'Agreed. I timed my commute on the bike: eleven minutes, down from thirty-five on the detour.\nI\'ll take it.',
  '61.4 million against 38. Somebody should explain that to the people who lost their jobs on the south bank while the bridge was shut.',
  'The review is due in the summer; the article says so. Let\'s see what it finds before we decide who to blame.\n\nStill, the storm was not the contractor\'s fault.',
  'Is the mooring mast really from the zeppelin years? My grandfather said it was put up for a film. Details at https://example.org/harbour-history if anyone knows.',
];
const LOOK_REPLIES = new Set([1, 2, 6, 7, 8, 12, 15]);   // each answers the comment before it

function cdata(text) {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function lookWxr() {
  const comments = [];
  for (let i = 0; i < 20; i++) {
    const who = LOOK_NAMES[i % LOOK_NAMES.length];
    const at = `2026-03-14 ${String(9 + Math.floor(i / 6)).padStart(2, '0')}:${String((i * 10) % 60).padStart(2, '0')}:00`;
    comments.push(`<wp:comment><wp:comment_id>${900 + i}</wp:comment_id>
<wp:comment_author>${cdata(who)}</wp:comment_author>
<wp:comment_author_email>${cdata(who.split(' ')[0].toLowerCase() + '@example.org')}</wp:comment_author_email>
<wp:comment_author_url>${i % 3 === 0 ? `https://example.org/~${i}` : ''}</wp:comment_author_url>
<wp:comment_date_gmt>${cdata(at)}</wp:comment_date_gmt>
<wp:comment_content>${cdata(LOOK_TEXTS[i % LOOK_TEXTS.length])}</wp:comment_content>
<wp:comment_approved>${cdata('1')}</wp:comment_approved>
<wp:comment_parent>${LOOK_REPLIES.has(i) ? 900 + i - 1 : 0}</wp:comment_parent>
</wp:comment>`);
  }
  return `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Harbour News</title><link>https://harbour.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://harbour.example</wp:base_site_url>
<item><title>${cdata('Harbour bridge reopens, and the city counts the cost')}</title>
<link>https://harbour.example/2026/03/${LOOK_SLUG}/</link>
<dc:creator>${cdata('A. Reporter')}</dc:creator>
<content:encoded>${cdata(LOOK_BODY)}</content:encoded>
<wp:post_id>900</wp:post_id><wp:post_date_gmt>${cdata('2026-03-14 08:30:00')}</wp:post_date_gmt>
<wp:comment_status>${cdata('open')}</wp:comment_status><wp:post_name>${cdata(LOOK_SLUG)}</wp:post_name>
<wp:status>${cdata('publish')}</wp:status><wp:post_type>${cdata('post')}</wp:post_type>
<category domain="post_tag" nicename="transport">${cdata('Transport')}</category>
${comments.join('\n')}
</item></channel></rss>
`;
}

// Relative luminance and contrast ratio (WCAG 2) of "rgb(r, g, b)" colours.
function luminance(rgb) {
  const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// The 20-comment article at a phone's and a desktop's width, light and dark,
// and in print. Each view: no sideways scrolling; the palette the scheme asks
// for; print hides the form and the share links and writes out the address
// of a link to another site.
async function lookScenario(server, reader, tmp) {
  const { page } = reader;
  const saveTo = process.env.FOLIO_SCREENSHOTS;
  if (saveTo)
    fs.mkdirSync(saveTo, { recursive: true });
  const shoot = async (name) => {
    const png = await page.screenshot({ fullPage: true });
    if (saveTo)
      fs.writeFileSync(path.join(saveTo, `${name}.png`), png);
  };
  const url = `${server.base}/articles/${LOOK_SLUG}`;
  const wxr = path.join(tmp, 'look.xml');
  fs.writeFileSync(wxr, lookWxr());
  server.importWordPress(wxr);

  for (const width of [1280, 390]) {
    for (const colorScheme of ['light', 'dark']) {
      await step(`the 20-comment page at ${width} px, ${colorScheme}: no sideways scroll, its palette`, async () => {
        await page.setViewportSize({ width, height: 900 });
        await page.emulateMedia({ media: 'screen', colorScheme });
        const r = await page.goto(url);
        check(r && r.status() === 200, `the article answered ${r && r.status()}`);
        check(await page.locator('.comment-list article').count() === 20, 'not 20 comments');
        const seen = await page.evaluate(() => {
          const style = (sel) => getComputedStyle(document.querySelector(sel));
          return {
            scrollWidth: document.scrollingElement.scrollWidth,
            innerWidth: window.innerWidth,
            bg: style('body').backgroundColor,
            fg: style('body').color,
            link: style('.story-body a').color,
            form: style('#respond').display,
          };
        });
        check(seen.scrollWidth <= seen.innerWidth,
          `scrolls sideways: scrollWidth ${seen.scrollWidth} > innerWidth ${seen.innerWidth}`);
        check(seen.form !== 'none', 'the form is hidden on screen');
        const dark = colorScheme === 'dark';
        check(dark ? luminance(seen.bg) < 0.05 : luminance(seen.bg) > 0.8,
          `${colorScheme}: the background is ${seen.bg}`);
        check(dark ? luminance(seen.fg) > 0.6 : luminance(seen.fg) < 0.05,
          `${colorScheme}: the text is ${seen.fg}`);
        check(contrast(seen.fg, seen.bg) >= 7, `text ${seen.fg} on ${seen.bg}: contrast below 7:1`);
        check(contrast(seen.link, seen.bg) >= 4.5, `links ${seen.link} on ${seen.bg}: contrast below 4.5:1`);
        await shoot(`article-${width}-${colorScheme}`);
      });
    }
  }

  await step('in print: no form, no share links, a link to another site shows its address', async () => {
    await page.setViewportSize({ width: 800, height: 1100 });
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    await page.goto(url);
    const seen = await page.evaluate((external) => {
      const style = (el, pseudo) => getComputedStyle(el, pseudo);
      const link = document.querySelector(`.story-body a[href="${external}"]`);
      const inside = document.querySelector('.story-body a[href^="/"]');
      return {
        form: style(document.querySelector('#respond')).display,
        commentform: document.querySelector('#commentform').offsetParent === null,
        share: style(document.querySelector('.share')).display,
        search: style(document.querySelector('.masthead .search-form')).display,
        reply: style(document.querySelector('.comment-list article > p')).display,
        after: link && style(link, '::after').content,
        insideAfter: inside && style(inside, '::after').content,
        bg: style(document.body).backgroundColor,
        fg: style(document.body).color,
      };
    }, LOOK_EXTERNAL);
    await shoot('article-print');
    check(seen.form === 'none' && seen.commentform, `the comment form is shown in print (${seen.form})`);
    check(seen.share === 'none', `the share links are shown in print (${seen.share})`);
    check(seen.search === 'none' && seen.reply === 'none', `search ${seen.search}, reply ${seen.reply} in print`);
    check(seen.after && seen.after.includes(LOOK_EXTERNAL), `the external link's ::after is ${seen.after}`);
    check(!seen.insideAfter || seen.insideAfter === 'none' || seen.insideAfter === 'normal',
      `a link inside the site shows its address: ${seen.insideAfter}`);
    check(luminance(seen.bg) > 0.9 && luminance(seen.fg) < 0.01,
      `print is not black on white, even for a reader in dark mode: ${seen.fg} on ${seen.bg}`);
    await page.emulateMedia({ media: null, colorScheme: null });
  });
}

async function main() {
  const bin = process.env.FOLIO_BIN;
  if (!bin) {
    console.error('FOLIO_BIN is not set');
    process.exit(2);
  }
  const www = process.env.FOLIO_WWW || path.join(HERE, '..', '..', 'www');
  const executablePath = browserPath();
  // Before playwright-core is loaded: it would stop the process with its own
  // message on a Node.js older than its engines field.
  const problem = nodeProblem() || browserProblem();
  if (problem)
    skipOrFail(problem);
  const { chromium } = await loadPlaywright();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-browser-'));
  let server, reader, editor, mailbox, failed = false;
  try {
    server = await startServer(bin, www, tmp);
    reader = await openBrowser(chromium, executablePath, tmp, 'reader');
    editor = await openBrowser(chromium, executablePath, tmp, 'editor');
    const text = `Seen from a real browser ${Date.now()}.`;
    await scenario(server, reader, editor, text);
    await refusedScenario(server, reader, text);
    // the editors' mail read where nobody is signed in
    mailbox = await openBrowser(chromium, executablePath, tmp, 'mailbox');
    await mailScenario(server, reader, mailbox);
    await mailbox.context.close();
    mailbox = null;
    await ownCommentScenario(server, reader, editor);
    await hostileImportScenario(server, reader);
    await lookScenario(server, reader, tmp);
  } catch (e) {
    failed = true;
    if (!results.some(([, ok]) => !ok))
      console.log(`FAIL set-up\n     ${e && e.stack || e}`);
    if (server)
      console.log(`---- folio log ----\n${server.log().slice(-4000)}`);
  } finally {
    for (const b of [reader, editor, mailbox])
      if (b) await b.context.close().catch(() => {});
    if (server) {
      const code = await server.stop();
      if (code !== 0 && code !== null) {
        console.log(`FAIL folio serve exited ${code} after SIGTERM`);
        failed = true;
      }
    }
    if (!process.env.FOLIO_KEEP_TMP)
      fs.rmSync(tmp, { recursive: true, force: true });
  }
  const passed = results.filter(([, ok]) => ok).length;
  const bad = results.length - passed + (failed && results.every(([, ok]) => ok) ? 1 : 0);
  console.log(`${passed} passed, ${bad} failed`);
  process.exit(bad ? 1 : 0);
}

main();
