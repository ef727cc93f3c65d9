// Browser test (issue 11, #14): the sign-in sheet of a three-day event, printed to PDF by
// chromium as an organiser would (A4, the page size the sheet asks for). Checked in the PDF
// itself (pdfinfo, pdftotext): landscape A4 for three signature columns, the funding block and
// the column headings on every page, the „Изготвил“ footer, one sheet a day starting on its own
// page; in the page laid out at A4's printable width, no cell whose text overflows (nothing
// clipped). The sheet and the statistics page on a 390 px phone without sideways scrolling.
//
//   node tests/browser/signin_journey.mjs   (SABOR_BIN, SABOR_SOURCE_DIR, CHROMIUM as in lib.mjs)
//
// Prints `browser: 1 passed, 0 failed` as the last line on success. The PDFs and their pages
// as PNG (pdftoppm) are left in build-test/screenshots to look at.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckFailed, STEP_TIMEOUT_MS, screenshotDir, check, log, runSabor, runMain } from './lib.mjs';

const EMAIL = 'org@ruse.bg';
const PASSWORD = 'password-123';
const FUNDING = 'Проектът се осъществява с финансовата подкрепа на Европейския социален фонд плюс.';
let token = '';

process.env.SABOR_LIMITS_REGISTRATIONS_PER_MINUTE = '0';  // forty registrations in a second
process.env.SABOR_MAIL_SMTP_URL = '';

function tool(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.error ? r.error.message : r.stderr}`);
  return r.stdout;
}

// Page count, page size and each page's text of a PDF written to `path`.
function readPdf(path) {
  const info = tool('pdfinfo', [path]);
  const pages = Number(info.match(/^Pages:\s+(\d+)/m)[1]);
  const size = info.match(/^Page size:\s+([\d.]+) x ([\d.]+) pts/m);
  const texts = [];
  for (let i = 1; i <= pages; i++) texts.push(tool('pdftotext', ['-f', String(i), '-l', String(i), '-layout', path, '-']));
  return { pages, width: Number(size[1]), height: Number(size[2]), texts };
}

async function api(baseUrl, method, path, body, auth = true) {
  const r = await fetch(baseUrl + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${text}`);
  return JSON.parse(text);
}

// Laid out at the printable width of the page (A4 less the 12 mm side margins), in print
// media: no cell whose content is wider than the cell, and the table within the page.
async function nothingClipped(page, widthMm, what) {
  const px = Math.floor((widthMm * 96) / 25.4);
  await page.setViewportSize({ width: px, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  const bad = await page.evaluate(() => {
    const out = [];
    for (const table of document.querySelectorAll('.sheet-table')) {
      if (table.getBoundingClientRect().right > document.documentElement.clientWidth + 1) out.push('the table is wider than the page');
    }
    for (const cell of document.querySelectorAll('.sheet-table th, .sheet-table td')) {
      if (cell.scrollWidth > cell.clientWidth + 1) out.push(`"${cell.textContent.trim().slice(0, 40)}" (${cell.scrollWidth} > ${cell.clientWidth})`);
    }
    return out;
  });
  check(bad.length === 0, `${what}: clipped at ${px}px: ${bad.slice(0, 5).join('; ')}`);
  await page.emulateMedia({ media: 'screen' });
}

async function printToPdf(page, name) {
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.pdf`);
  writeFileSync(path, pdf);
  tool('pdftoppm', ['-png', '-r', '60', path, join(screenshotDir, name)]);
  return readPdf(path);
}

async function journey(browser, baseUrl) {
  const ev = await api(baseUrl, 'POST', '/api/v1/events', {
    title: 'Обучение „Управление на проекти с европейско финансиране за общински служители“', kind: 'training',
    starts_at: '2031-10-06T09:00:00+03:00', ends_at: '2031-10-08T17:00:00+03:00', timezone: 'Europe/Sofia',
    venue: 'Доходно здание', city: 'Русе', capacity: 0, registration_mode: 'open',
    organisers: ['Община Русе', 'Областна администрация Русе'],
    funding_programme: 'Програма „Развитие на човешките ресурси“ 2021–2027',
    funding_project_title: 'Укрепване на административния капацитет', funding_project_code: 'BG05SFPR002-1.001-0001',
    funding_statement: FUNDING,
  });
  await api(baseUrl, 'PUT', `/api/v1/events/${ev.id}/registration-form`, { questions: [
    { label: 'Ще присъствате ли на обяда?', type: 'yesno' },
    { label: 'Хранене', type: 'choice', options: ['Без ограничения', 'Вегетарианско'] },
  ] });
  await api(baseUrl, 'POST', `/api/v1/events/${ev.id}/publish`);
  for (let i = 1; i <= 40; i++) {
    await api(baseUrl, 'POST', `/api/v1/events/${ev.id}/registrations`, {
      name: i === 7 ? 'Александра-Виктория Константинова-Християнова' : `Участник Номер ${i}`,
      email: i === 7 ? 'aleksandra-viktoria.konstantinova-hristianova@regionalna-administracia-ruse.bg' : `p${i}@example.bg`,
      organisation: i % 3 ? 'Община Русе' : 'Регионална дирекция „Социално подпомагане“ – Русе',
      position: i % 2 ? 'главен експерт „Европейски програми и проекти“' : 'директор',
      phone: `+359 888 ${String(100000 + i)}`, consent: true, answers: { q1: i % 4 !== 0, q2: i % 5 ? 'Без ограничения' : 'Вегетарианско' },
    }, false);
  }
  log(`event ${ev.id}: three days, 40 confirmed registrations`);

  const organiser = await browser.newContext({ locale: 'en-GB', baseURL: baseUrl });  // an English browser
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await organiser.newPage();
  await page.goto('/login');
  await page.fill('input[name="email"]', EMAIL);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL(/\/admin/), page.click('form[action="/login"] button[type="submit"]')]);

  // --- A signature column a day, with the contact column: landscape A4. ---------------
  const sheet = `/admin/events/${ev.id}/signin-sheet`;
  await page.goto(`${sheet}?contact=1`);
  check(await page.locator('th.sig').count() === 3, 'not three signature columns');
  check(await page.locator('.signin-sheet').getAttribute('lang') === 'bg', 'the sheet is not in the event\'s language');
  await nothingClipped(page, 297 - 24, 'columns + contact');
  let pdf = await printToPdf(page, 'signin-columns');
  check(pdf.width > pdf.height && Math.round(pdf.width) === 842, `columns: not landscape A4 (${pdf.width} x ${pdf.height})`);
  check(pdf.pages >= 2, `columns: forty rows on ${pdf.pages} page(s)`);
  pdf.texts.forEach((t, i) => {
    check(t.includes('Европейския социален фонд плюс'), `columns: page ${i + 1} has no funding statement`);
    check(t.includes('Подпис') && t.includes('Име и фамилия'), `columns: page ${i + 1} has no column headings`);
  });
  check(pdf.texts[0].toLowerCase().includes('присъствен списък'), 'columns: the sheet is not in Bulgarian');
  check(pdf.texts.at(-1).includes('Изготвил'), 'columns: no „Изготвил“ on the last page');
  const all = pdf.texts.join('\n');
  check(['aleksandra-', 'hristianova@region', 'ruse.bg', '+359 888 100007'].every((x) => all.includes(x)),
    'columns: the long e-mail address is not all there');
  log(`columns + contact: ${pdf.pages} landscape pages, funding and headings on each, „Изготвил“ at the end`);

  // --- Without the contact column: still landscape (three days), nothing clipped. -----
  await page.goto(sheet);
  await nothingClipped(page, 297 - 24, 'columns');
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.screenshot({ path: join(screenshotDir, 'signin-desktop.png') });

  // --- A sheet a day: portrait A4, each day from a new page. ---------------------------
  await page.goto(`${sheet}?per_day=1`);
  await nothingClipped(page, 210 - 24, 'a sheet a day');
  pdf = await printToPdf(page, 'signin-per-day');
  check(pdf.height > pdf.width && Math.round(pdf.width) === 595, `per day: not portrait A4 (${pdf.width} x ${pdf.height})`);
  const firstPage = (label) => pdf.texts.findIndex((t) => t.toLowerCase().includes(label));
  const starts = ['ден 1 от 3', 'ден 2 от 3', 'ден 3 от 3'].map(firstPage);
  check(starts.every((p) => p >= 0), `per day: a day is missing (${starts})`);
  check(starts[0] < starts[1] && starts[1] < starts[2], `per day: days out of order (${starts})`);
  check(!pdf.texts[starts[1]].toLowerCase().includes('ден 1 от 3') && !pdf.texts[starts[2]].toLowerCase().includes('ден 2 от 3'),
    'per day: a day does not start on its own page');
  pdf.texts.forEach((t, i) => check(t.includes('Европейския социален фонд плюс'), `per day: page ${i + 1} has no funding statement`));
  check(pdf.texts.filter((t) => t.includes('Изготвил')).length === 3, 'per day: not one „Изготвил“ a day');
  log(`a sheet a day: ${pdf.pages} portrait pages, days start on new pages`);
  await page.goto(`${sheet}?per_day=1&contact=1`);
  await nothingClipped(page, 210 - 24, 'a sheet a day + contact');
  const sigWidth = await page.evaluate(() => document.querySelector('th.sig').getBoundingClientRect().width);
  check(sigWidth >= 150, `a sheet a day + contact: the signature column is only ${sigWidth}px (40 mm = 151px)`);

  // --- On a phone. ---------------------------------------------------------------------
  const phone = await browser.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
    isMobile: true, hasTouch: true, locale: 'bg-BG', storageState: await organiser.storageState() });
  const ppage = await phone.newPage();
  for (const path of [`${sheet}?contact=1`, `/admin/events/${ev.id}/registrations`]) {
    const r = await ppage.goto(path);
    check(r && r.status() === 200, `phone: GET ${path} answered ${r && r.status()}`);
    // A mobile viewport widens to fit what overflows, so the width is compared with 390 too.
    const w = await ppage.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
      wide: [...document.querySelectorAll('main *')].filter((el) => el.getBoundingClientRect().right > 391)
        .slice(0, 3).map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`),
    }));
    if (w.scroll > 390 || w.inner > 390) {
      throw new CheckFailed(`phone ${path}: horizontal overflow, scrollWidth ${w.scroll}, innerWidth ${w.inner}: ${w.wide.join('; ')}`);
    }
  }
  check(await ppage.locator('table.tally').count() === 2, 'phone: the statistics page does not show the two tallies');
  await ppage.locator('.answer-tallies').scrollIntoViewIfNeeded();
  await ppage.screenshot({ path: join(screenshotDir, 'statistics-phone.png') });
  await ppage.goto(`${sheet}?contact=1`);
  await ppage.screenshot({ path: join(screenshotDir, 'signin-phone.png') });
  log('phone: the sheet and the statistics without sideways scrolling');
  await phone.close();
  await organiser.close();
}

runMain({
  setup: (dataDir) => {
    runSabor(['user', 'add', '--email', EMAIL, '--name', 'Организатор', '--role', 'organiser', '--data-dir', dataDir], `${PASSWORD}\n`);
    token = runSabor(['token', 'create', '--email', EMAIL, '--data-dir', dataDir]).trim();
  },
  journey,
});
