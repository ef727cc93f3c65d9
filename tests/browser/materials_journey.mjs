// Browser test: an organiser builds a talk through the programme API, then, from the
// programme's organisers' page, follows the talk's "upload a presentation" link to the
// materials page (the talk chosen already) and uploads a PDF with a Cyrillic name (multipart
// form with its CSRF token); the programme's organisers' page lists it at the talk. An
// anonymous visitor downloads it from the public programme page, at its talk: the browser's
// download keeps the Cyrillic name (RFC 6266 filename*) and the bytes are the ones uploaded.
//
//   cd tests/browser && npm ci && node materials_journey.mjs
//
// Environment: SABOR_BIN, SABOR_SOURCE_DIR, CHROMIUM (see organiser_journey.mjs).
// Prints `browser: 1 passed, 0 failed` as the last line on success (exit 0).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STEP_TIMEOUT_MS, check, log, runSabor, runMain } from './lib.mjs';

const EMAIL = 'organiser@example.bg';
const PASSWORD = 'secret-pass-123';
const FILE_NAME = 'Презентация – добри практики.pdf';
const TALK_TITLE = 'Добри практики в Община Русе';
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n'
    + '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n'),
  Buffer.from(`% ${Date.now()}\ntrailer<</Root 1 0 R>>\n%%EOF\n`),
]);
const sha = (b) => createHash('sha256').update(b).digest('hex');

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

async function journey(browser, baseUrl) {
  const event = await api(baseUrl, 'POST', '/api/v1/events', {
    title: 'Форум „Добри практики“', kind: 'forum', starts_at: '2031-05-20T10:00:00+03:00',
    ends_at: '2031-05-20T17:00:00+03:00', city: 'Русе',
  });
  const speaker = await api(baseUrl, 'POST', `/api/v1/events/${event.id}/speakers`,
    { honorific: 'д-р', name: 'Елена Колева', organisation: 'Община Русе' });
  const session = await api(baseUrl, 'POST', `/api/v1/events/${event.id}/sessions`,
    { title: 'Пленарна сесия', starts_at: '2031-05-20T10:00:00+03:00', ends_at: '2031-05-20T12:00:00+03:00' });
  const talk = await api(baseUrl, 'POST', `/api/v1/events/${event.id}/talks`,
    { session_id: session.id, title: TALK_TITLE, speaker_ids: [speaker.id] });
  const talkId = talk.id;
  await api(baseUrl, 'POST', `/api/v1/events/${event.id}/publish`);
  log(`event ${event.slug} with talk ${talkId}`);

  // --- The organiser uploads a presentation to the talk. ------------------------------
  const organiser = await browser.newContext({ locale: 'bg-BG', baseURL: baseUrl });
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await organiser.newPage();
  await page.goto('/login');
  await page.fill('input[name="email"]', EMAIL);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin'), page.click('form[action="/login"] button[type="submit"]')]);
  // From the programme's page, the talk's own upload link: the talk is chosen already.
  await page.goto(`/admin/events/${event.id}/programme`);
  await Promise.all([
    page.waitForURL((u) => u.pathname === `/admin/events/${event.id}/materials`),
    page.click(`#talk-${talkId} a[href*="/materials?talk=${talkId}"]`),
  ]);
  const chosen = await page.locator('#upload-talk').inputValue();
  check(chosen === String(talkId), `the upload form chose talk "${chosen}", not ${talkId}`);
  await page.fill('#upload-title', 'Слайдове от доклада');
  await page.setInputFiles('#upload-file', { name: FILE_NAME, mimeType: 'application/pdf', buffer: PDF });
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('notice') === 'uploaded'),
    page.click('#upload-form button[type="submit"]'),
  ]);
  const row = page.locator('#materials-table tbody tr', { hasText: FILE_NAME });
  check(await row.count() === 1, `the materials table has ${await row.count()} rows for ${FILE_NAME}`);
  const selected = await row.locator('select[name="talk_id"]').inputValue();
  check(selected === String(talkId), `the upload is attached to talk ${selected}, not ${talkId}`);
  await page.goto(`/admin/events/${event.id}/programme`);
  const listed = page.locator(`#talk-${talkId} .talk-materials a`, { hasText: 'Слайдове от доклада' });
  check(await listed.count() === 1, 'the programme\'s organisers\' page does not list the upload at its talk');
  log('uploaded from the organisers\' pages, attached to the talk');

  // --- A visitor downloads it from the public programme page, at its talk. -----------
  const visitor = await browser.newContext({ locale: 'bg-BG', baseURL: baseUrl, acceptDownloads: true });
  visitor.setDefaultTimeout(STEP_TIMEOUT_MS);
  const vpage = await visitor.newPage();
  const response = await vpage.goto(`/events/${event.slug}/programme`);
  check(response && response.status() === 200, `the programme page answered ${response && response.status()}`);
  const link = vpage.locator(`#talk-${talkId} .talk-materials`).getByRole('link', { name: 'Слайдове от доклада' });
  check(await link.count() === 1, 'no link to the presentation at its talk on the programme page');
  const [download] = await Promise.all([vpage.waitForEvent('download'), link.click()]);
  check(download.suggestedFilename() === FILE_NAME, `the download is named "${download.suggestedFilename()}"`);
  const bytes = readFileSync(await download.path());
  check(sha(bytes) === sha(PDF), 'the downloaded bytes differ from the uploaded ones');
  log(`downloaded as "${download.suggestedFilename()}", ${bytes.length} bytes, same SHA-256`);
}

runMain({
  setup: (dir) => {
    runSabor(['user', 'add', '--email', EMAIL, '--name', 'Организатор', '--role', 'organiser', '--data-dir', dir], `${PASSWORD}\n`);
    token = runSabor(['token', 'create', '--email', EMAIL, '--data-dir', dir]).trim();
  },
  journey,
});
