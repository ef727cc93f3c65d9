// Browser test: the demo organiser adds a speaker with a photo, a session and a talk to the
// demo conference's programme and moves the talk up; a visitor reads the programme (on a
// phone too), sees the speaker's photo, and the printable programme prints on A4.
//
//   cd tests/browser && node programme_journey.mjs   (SABOR_BIN, SABOR_SOURCE_DIR, CHROMIUM as in lib.mjs)
//
// Prints `browser: 1 passed, 0 failed` as the last line on success.

import { mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { CheckFailed, STEP_TIMEOUT_MS, screenshotDir, check, log, runSabor, runMain } from './lib.mjs';

let demo = { email: '', password: '' };

// A real PNG (8x8, red), made here so that the upload is checked by its content.
function pngBytes() {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(8, 0);
  ihdr.writeUInt32BE(8, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < 8; y++) rows.push(Buffer.from([0, ...Array(8).fill([200, 30, 30]).flat()]));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

async function noOverflow(page, what) {
  const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  if (w.scroll > w.inner) throw new CheckFailed(`${what}: horizontal overflow, scrollWidth ${w.scroll} > ${w.inner}`);
}

async function journey(browser, baseUrl) {
  const organiser = await browser.newContext({ locale: 'bg-BG', baseURL: baseUrl });
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await organiser.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto('/login');
  await page.fill('input[name="email"]', demo.email);
  await page.fill('input[name="password"]', demo.password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/admin'), page.click('form[action="/login"] button[type="submit"]')]);

  // --- The programme page of the demo conference. ----------------------------------
  const row = page.locator('table.data-table tbody tr', { hasText: 'Капацитет на гражданското общество' });
  await Promise.all([page.waitForURL(/\/programme$/), row.locator('a[href$="/programme"]').click()]);
  const base = new URL(page.url()).pathname;
  check(await page.locator('.admin-session').count() >= 10, 'the demo programme has fewer than 10 sessions on the admin page');
  log(`at ${base}`);

  // --- A speaker with a photo; first a wrong file, refused inline. -----------------
  await Promise.all([page.waitForURL(/speakers\/new$/), page.click(`a[href="${base}/speakers/new"]`)]);
  await page.fill('#honorific', 'д-р');
  await page.fill('#name', 'Теодора Маринова');
  await page.fill('#position', 'директор');
  await page.fill('#organisation', 'Фондация „Родопи 21“');
  await page.fill('#bio', 'Работи с местни общности в Източните Родопи.');
  await page.setInputFiles('#photo', { name: 'снимка.png', mimeType: 'image/png', buffer: Buffer.from('това не е снимка\n') });
  await Promise.all([page.waitForNavigation(), page.click('form.form button[type="submit"]')]);
  const photoError = page.locator('#photo-error');
  check(await photoError.isVisible(), 'a text file as a photo: no error under the photo field');
  check(await page.inputValue('#name') === 'Теодора Маринова', 'after the photo error the name was not kept');
  log(`wrong photo refused: "${(await photoError.textContent()).trim()}"`);
  await page.setInputFiles('#photo', { name: 'снимка.png', mimeType: 'image/png', buffer: pngBytes() });
  await Promise.all([page.waitForURL((url) => url.pathname === base), page.click('form.form button[type="submit"]')]);
  check(await page.locator('.admin-speakers', { hasText: 'д-р Теодора Маринова' }).count() === 1, 'the new speaker is not listed');

  // --- A session on the first day (its start is prefilled with the event's). --------
  await Promise.all([page.waitForURL(/sessions\/new$/), page.click(`a[href="${base}/sessions/new"]`)]);
  await page.fill('#title', 'Среща на младежките организации');
  await page.selectOption('#kind', 'workshop');
  await page.fill('#room', 'Зала 3');
  const start = await page.inputValue('#starts_at');
  check(/^\d{4}-\d\d-\d\dT09:30$/.test(start), `the new session's start is prefilled with "${start}"`);
  await page.fill('#starts_at', start.replace('T09:30', 'T17:00'));
  await page.fill('#ends_at', start.replace('T09:30', 'T18:00'));
  await Promise.all([page.waitForURL((url) => url.pathname === base), page.click('form.form button[type="submit"]')]);
  const session = page.locator('.admin-session', { hasText: 'Среща на младежките организации' });
  check(await session.count() === 1, 'the new session is not on the admin page');

  // --- Two talks in it; the second moves up. ---------------------------------------
  for (const title of ['Младежко доброволчество', 'Опитът на Фондация „Родопи 21“']) {
    await Promise.all([page.waitForURL(/talks\/new/), session.locator('a[href*="/talks/new?session="]').click()]);
    await page.fill('#title', title);
    await page.selectOption('#speaker_0', { label: 'д-р Теодора Маринова (Фондация „Родопи 21“)' });
    await Promise.all([page.waitForURL((url) => url.pathname === base), page.click('form.form button[type="submit"]')]);
  }
  let titles = await page.locator('.admin-session', { hasText: 'Среща на младежките организации' }).locator('.admin-talk .talk-title').allTextContents();
  check(titles.join('|') === 'Младежко доброволчество|Опитът на Фондация „Родопи 21“', `talks in order: ${titles.join(' | ')}`);
  await Promise.all([
    page.waitForURL((url) => url.searchParams.get('notice') === 'moved'),
    page.locator('.admin-talk', { hasText: 'Опитът на Фондация' }).locator('button', { hasText: 'Нагоре' }).click(),
  ]);
  titles = await page.locator('.admin-session', { hasText: 'Среща на младежките организации' }).locator('.admin-talk .talk-title').allTextContents();
  check(titles.join('|') === 'Опитът на Фондация „Родопи 21“|Младежко доброволчество', `after moving up: ${titles.join(' | ')}`);
  log('speaker, session and two talks added; the second talk moved up');
  check(pageErrors.length === 0, `JavaScript errors on the organiser's pages: ${pageErrors.join('; ')}`);
  await organiser.close();

  // --- A visitor: the event page links the programme; the programme in order. -------
  const visitor = await browser.newContext({ locale: 'bg-BG', baseURL: baseUrl });
  visitor.setDefaultTimeout(STEP_TIMEOUT_MS);
  const vpage = await visitor.newPage();
  await vpage.goto('/');
  await Promise.all([vpage.waitForURL(/\/events\//), vpage.locator('h2.event-title a', { hasText: 'Капацитет на гражданското' }).click()]);
  const eventPath = new URL(vpage.url()).pathname;
  check(await vpage.locator('section.event-programme').isVisible(), 'the event page shows no programme');
  await Promise.all([vpage.waitForURL(/\/programme$/), vpage.locator('section.event-programme a', { hasText: 'Цялата програма' }).click()]);
  check(await vpage.locator('.programme-day').count() === 2, 'the programme page does not show two days');
  const ours = vpage.locator('.programme-session', { hasText: 'Среща на младежките организации' });
  const talkTitles = await ours.locator('.talk-title').allTextContents();
  check(talkTitles.join('|') === 'Опитът на Фондация „Родопи 21“|Младежко доброволчество', `public order: ${talkTitles.join(' | ')}`);
  check((await ours.innerText()).includes('д-р Теодора Маринова, директор, Фондация „Родопи 21“'), 'the speaker line is missing on the programme page');
  const sessionsDay1 = await vpage.locator('.programme-day').first().locator('.session-title').allTextContents();
  check(sessionsDay1[sessionsDay1.length - 1] === 'Среща на младежките организации', `day 1 ends with "${sessionsDay1.at(-1)}"`);

  // --- The speakers page with the photo. --------------------------------------------
  await vpage.goto(`${eventPath}/speakers`);
  const img = vpage.locator('.speaker-card', { hasText: 'Теодора Маринова' }).locator('img.speaker-photo');
  check(await img.count() === 1, 'the speakers page has no photo for the new speaker');
  const natural = await img.evaluate((el) => el.complete && el.naturalWidth);
  check(natural === 8, `the photo did not load in the browser (naturalWidth ${natural})`);
  log('visitor: programme in order, speaker photo shown');

  // --- The printable programme, as printed. -----------------------------------------
  await vpage.goto(`${eventPath}/programme/print`);
  await vpage.emulateMedia({ media: 'print' });
  check(!(await vpage.locator('.site-header').isVisible()), 'print: the site header is printed');
  check(await vpage.locator('.sheet-funding').isVisible(), 'print: no funding block');
  check((await vpage.locator('.sheet-head').innerText()).includes('Областна администрация Кърджали'), 'print: organisers missing');
  const pdf = await vpage.pdf({ format: 'A4' });
  check(pdf.length > 10_000, `print: the PDF is only ${pdf.length} bytes`);
  mkdirSync(screenshotDir, { recursive: true });
  await vpage.screenshot({ path: join(screenshotDir, 'programme-print.png'), fullPage: true });
  await visitor.close();

  // --- On a phone. -------------------------------------------------------------------
  const phone = await browser.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
    isMobile: true, hasTouch: true, locale: 'bg-BG' });
  phone.setDefaultTimeout(STEP_TIMEOUT_MS);
  const ppage = await phone.newPage();
  for (const path of [`${eventPath}/programme`, `${eventPath}/speakers`, eventPath]) {
    const r = await ppage.goto(path);
    check(r && r.status() === 200, `phone: GET ${path} answered ${r && r.status()}`);
    await noOverflow(ppage, `phone ${path}`);
  }
  await ppage.goto(`${eventPath}/programme`);
  await ppage.screenshot({ path: join(screenshotDir, 'programme-phone.png'), fullPage: true });
  log('phone: programme, speakers and event page without horizontal overflow');
  await phone.close();
}

runMain({
  setup: (dataDir) => {
    const out = runSabor(['demo', '--data-dir', dataDir]);
    demo = { email: out.match(/demo organiser: (\S+)/)[1], password: out.match(/password:\s+(\S+)/)[1] };
  },
  journey,
});
