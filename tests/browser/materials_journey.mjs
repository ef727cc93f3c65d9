// Browser test: an organiser uploads a presentation with a Cyrillic name to a talk from the
// event's materials page (multipart form with its CSRF token), and an anonymous visitor
// downloads it from the event's public materials page: the browser's download keeps the
// Cyrillic name (RFC 6266 filename*) and the bytes are the ones uploaded.
//
//   cd tests/browser && npm ci && node materials_journey.mjs
//
// Environment: SABOR_BIN, SABOR_SOURCE_DIR, CHROMIUM (see organiser_journey.mjs).
// Prints `browser: 1 passed, 0 failed` as the last line on success (exit 0).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { STEP_TIMEOUT_MS, check, log, runSabor, runMain } from './lib.mjs';

const EMAIL = 'organiser@example.bg';
const PASSWORD = 'secret-pass-123';
const FILE_NAME = 'Презентация – добри практики.pdf';
const TALK_TITLE = 'Добри практики в Община Русе';
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n'),
  Buffer.from(`% ${Date.now()}\ntrailer<</Root 1 0 R>>\n%%EOF\n`),
]);
const sha = (b) => createHash('sha256').update(b).digest('hex');

let dataDir = '';
let token = '';

async function api(baseUrl, method, path, body) {
  const r = await fetch(baseUrl + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  check(r.ok, `${method} ${path} answered ${r.status}`);
  return r.json();
}

// The programme's API is another part's: a session and a talk straight into the database.
function addTalk(eventId) {
  const script = `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
now = '2031-01-01T00:00:00Z'
c.execute("INSERT INTO programme_sessions (event_id, title, starts_at, ends_at, created_at, updated_at) VALUES (?, 'Сесия', '2031-05-20T07:00:00Z', '2031-05-20T09:00:00Z', ?, ?)", (int(sys.argv[2]), now, now))
s = c.execute('SELECT MAX(id) FROM programme_sessions').fetchone()[0]
c.execute('INSERT INTO talks (event_id, session_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', (int(sys.argv[2]), s, sys.argv[3], now, now))
c.commit()
print(c.execute('SELECT MAX(id) FROM talks').fetchone()[0])`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, join(dataDir, 'sabor.db'), String(eventId), TALK_TITLE], { encoding: 'utf8' });
  check(r.status === 0, `adding a talk failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

async function journey(browser, baseUrl) {
  const event = await api(baseUrl, 'POST', '/api/v1/events', {
    title: 'Форум „Добри практики“', kind: 'forum', starts_at: '2031-05-20T10:00:00+03:00',
    ends_at: '2031-05-20T17:00:00+03:00', city: 'Русе',
  });
  await api(baseUrl, 'POST', `/api/v1/events/${event.id}/publish`);
  const talkId = addTalk(event.id);
  log(`event ${event.slug} with talk ${talkId}`);

  // --- The organiser uploads a presentation to the talk. ------------------------------
  const organiser = await browser.newContext({ locale: 'bg-BG', baseURL: baseUrl });
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await organiser.newPage();
  await page.goto('/login');
  await page.fill('input[name="email"]', EMAIL);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin'), page.click('form[action="/login"] button[type="submit"]')]);
  await Promise.all([
    page.waitForURL((u) => u.pathname === `/admin/events/${event.id}/materials`),
    page.click(`a[href="/admin/events/${event.id}/materials"]`),
  ]);
  await page.fill('#upload-title', 'Слайдове от доклада');
  await page.selectOption('#upload-talk', String(talkId));
  await page.setInputFiles('#upload-file', { name: FILE_NAME, mimeType: 'application/pdf', buffer: PDF });
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('notice') === 'uploaded'),
    page.click('#upload-form button[type="submit"]'),
  ]);
  const row = page.locator('#materials-table tbody tr', { hasText: FILE_NAME });
  check(await row.count() === 1, `the materials table has ${await row.count()} rows for ${FILE_NAME}`);
  const selected = await row.locator('select[name="talk_id"]').inputValue();
  check(selected === String(talkId), `the upload is attached to talk ${selected}, not ${talkId}`);
  log('uploaded from the organisers\' page, attached to the talk');

  // --- A visitor downloads it from the public materials page. -------------------------
  const visitor = await browser.newContext({ locale: 'bg-BG', baseURL: baseUrl, acceptDownloads: true });
  visitor.setDefaultTimeout(STEP_TIMEOUT_MS);
  const vpage = await visitor.newPage();
  const response = await vpage.goto(`/events/${event.slug}/materials`);
  check(response && response.status() === 200, `the materials page answered ${response && response.status()}`);
  const link = vpage.getByRole('link', { name: 'Слайдове от доклада' });
  check(await link.count() === 1, 'no link to the presentation on the materials page');
  check((await vpage.textContent('main')).includes(TALK_TITLE), 'the talk is not named next to its presentation');
  const [download] = await Promise.all([vpage.waitForEvent('download'), link.click()]);
  check(download.suggestedFilename() === FILE_NAME, `the download is named "${download.suggestedFilename()}"`);
  const bytes = readFileSync(await download.path());
  check(sha(bytes) === sha(PDF), 'the downloaded bytes differ from the uploaded ones');
  log(`downloaded as "${download.suggestedFilename()}", ${bytes.length} bytes, same SHA-256`);
}

runMain({
  setup: (dir) => {
    dataDir = dir;
    runSabor(['user', 'add', '--email', EMAIL, '--name', 'Организатор', '--role', 'organiser', '--data-dir', dir], `${PASSWORD}\n`);
    token = runSabor(['token', 'create', '--email', EMAIL, '--data-dir', dir]).trim();
  },
  journey,
});
