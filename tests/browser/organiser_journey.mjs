// Browser test: an organiser logs in, creates and publishes an event with a Cyrillic
// title and funding details; an anonymous visitor finds it on the home page, and the
// event page is checked on a phone-sized screen.
//
// Plain node (ESM), no test framework. Uses playwright-core with Debian's chromium
// (/usr/bin/chromium); it never downloads a browser.
//
//   cd tests/browser && npm ci && node organiser_journey.mjs
//
// Environment:
//   SABOR_BIN         the sabor binary (default: /work/main/build-test/sabor)
//   SABOR_SOURCE_DIR  the repository root, used as the working directory (default:
//                     computed from this file's location)
//   CHROMIUM          the browser executable (default: /usr/bin/chromium)
//
// Prints `browser: 1 passed, 0 failed` as the last line on success (exit 0); on failure
// prints what went wrong and `browser: 0 passed, 1 failed` (exit 1).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckFailed, STEP_TIMEOUT_MS, screenshotDir, check, log, runSabor, runMain } from './lib.mjs';

const ORGANISER_EMAIL = 'organiser@example.bg';
const ORGANISER_PASSWORD = 'secret-pass-123';
const ORGANISER_NAME = 'Мария Петрова';

const EVENT = {
  title: 'Семинар за социалните услуги в Русе',
  kind: 'seminar',
  starts_at: '2031-05-20T10:00',
  ends_at: '2031-05-20T17:30',
  description: 'Среща на доставчиците на социални услуги в Русенска област.\n\nПрограмата включва дискусии и обмен на добри практики.',
  venue: 'Доходното здание',
  address: 'пл. „Александър Батенберг“ 1',
  city: 'Русе',
  capacity: '80',
  organisers: ['Община Русе', 'Сдружение „Социални услуги“'],
  partners: ['Областна администрация Русе'],
  funding_programme: 'Програма „Развитие на човешките ресурси“ 2021–2027',
  funding_project_code: 'BG05SFPR002-2.001-0001',
  funding_project_title: 'Подкрепа за социалните услуги в общността',
  funding_statement: 'Проектът се осъществява с финансовата подкрепа на Европейския социален фонд плюс чрез Програма „Развитие на човешките ресурси“ 2021–2027.',
};

async function fillEventForm(page, event) {
  await page.fill('#title', event.title);
  await page.selectOption('#kind', event.kind);
  await page.fill('#starts_at', event.starts_at);
  await page.fill('#ends_at', event.ends_at);
  await page.fill('#description', event.description);
  await page.fill('#venue', event.venue);
  await page.fill('#address', event.address);
  await page.fill('#city', event.city);
  await page.fill('#capacity', event.capacity);
  await page.fill('#organisers', event.organisers.join('\n'));
  await page.fill('#partners', event.partners.join('\n'));
  await page.fill('#funding_programme', event.funding_programme);
  await page.fill('#funding_project_code', event.funding_project_code);
  await page.fill('#funding_project_title', event.funding_project_title);
  await page.fill('#funding_statement', event.funding_statement);
}

async function journey(browser, baseUrl) {
  // --- The organiser logs in. -------------------------------------------------------
  const organiser = await browser.newContext({ locale: 'bg-BG', baseURL: baseUrl });
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await organiser.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  let response = await page.goto('/login');
  check(response && response.status() === 200, `GET /login answered ${response && response.status()}`);
  await page.fill('input[name="email"]', ORGANISER_EMAIL);
  await page.fill('input[name="password"]', ORGANISER_PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/admin'),
    page.click('form[action="/login"] button[type="submit"]'),
  ]);
  check(new URL(page.url()).pathname === '/admin', `after login the browser is at ${page.url()}, not /admin`);
  log('logged in, at /admin');

  // --- A form error: the end before the start. -------------------------------------
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/admin/events/new'),
    page.click('a[href="/admin/events/new"]'),
  ]);
  await fillEventForm(page, { ...EVENT, starts_at: '2031-05-20T17:00', ends_at: '2031-05-20T09:00' });
  await Promise.all([
    page.waitForNavigation(),
    page.click('.form-actions button[type="submit"]'),
  ]);
  const fieldError = page.locator('.field-error').first();
  check(await fieldError.isVisible(), 'an end before the start: no visible .field-error on the form');
  const keptTitle = await page.inputValue('#title');
  check(keptTitle === EVENT.title, `after the form error the title is "${keptTitle}", not the one typed`);
  const keptStatement = await page.inputValue('#funding_statement');
  check(keptStatement === EVENT.funding_statement, 'after the form error the funding statement was not kept');
  log(`form error shown: "${(await fieldError.textContent()).trim()}"; the typed title is kept`);

  // --- Create the event. -----------------------------------------------------------
  await page.goto('/admin/events/new');
  await fillEventForm(page, EVENT);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/admin' && url.searchParams.get('notice') === 'created'),
    page.click('.form-actions button[type="submit"]'),
  ]);
  const row = page.locator('table.data-table tbody tr', { has: page.getByRole('link', { name: EVENT.title, exact: true }) });
  check(await row.count() === 1, `the admin table has ${await row.count()} rows for the new event`);
  const editHref = await row.getByRole('link', { name: EVENT.title, exact: true }).getAttribute('href');
  check(/^\/admin\/events\/\d+$/.test(editHref), `the event link in the admin table is ${editHref}`);
  log(`event created (${editHref})`);

  // --- Publish it. -----------------------------------------------------------------
  await Promise.all([
    page.waitForNavigation(),
    row.locator('form[action$="/publish"] button[type="submit"]').click(),
  ]);
  const rowAfter = page.locator('table.data-table tbody tr', { has: page.getByRole('link', { name: EVENT.title, exact: true }) });
  check(await rowAfter.count() === 1, 'after publishing, the event is no longer in the admin table');
  check(await rowAfter.locator('form[action$="/publish"]').count() === 0, 'after publishing, the event still has a publish button');
  check(await rowAfter.locator('.status-published').count() === 1,
    `after publishing, the status is "${(await rowAfter.locator('.status').textContent() || '').trim()}"`);
  log('event published');
  check(pageErrors.length === 0, `JavaScript errors on the organiser's pages: ${pageErrors.join('; ')}`);
  await organiser.close();

  // --- An anonymous visitor finds it on the home page. -----------------------------
  const visitor = await browser.newContext({ locale: 'bg-BG', baseURL: baseUrl });
  visitor.setDefaultTimeout(STEP_TIMEOUT_MS);
  const vpage = await visitor.newPage();
  response = await vpage.goto('/');
  check(response && response.status() === 200, `GET / answered ${response && response.status()}`);
  const card = vpage.locator('article.event-card', { has: vpage.locator('h2.event-title a', { hasText: EVENT.title }) });
  check(await card.count() === 1, `the home page has ${await card.count()} cards titled "${EVENT.title}"`);
  const cardLink = card.locator('h2.event-title a');
  const eventPath = await cardLink.getAttribute('href');
  check(/^\/events\/[^/?#]+$/.test(eventPath || ''), `the card links to "${eventPath}", not /events/{slug}`);
  await Promise.all([
    vpage.waitForURL((url) => url.pathname === eventPath),
    cardLink.click(),
  ]);
  check(await vpage.locator('h1', { hasText: EVENT.title }).isVisible(), 'the event page (desktop) shows no title');
  log(`visitor found the card and opened ${decodeURIComponent(eventPath)}`);
  await visitor.close();

  // --- The event page on a phone. --------------------------------------------------
  const phone = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'bg-BG',
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
  });
  phone.setDefaultTimeout(STEP_TIMEOUT_MS);
  const ppage = await phone.newPage();
  response = await ppage.goto(eventPath);
  check(response && response.status() === 200, `GET ${eventPath} on the phone answered ${response && response.status()}`);
  const title = ppage.locator('h1', { hasText: EVENT.title });
  check(await title.isVisible(), 'phone: the event title is not visible');
  const funding = ppage.locator('section.funding');
  check(await funding.isVisible(), 'phone: section.funding is not visible');
  const fundingText = (await funding.innerText()).replace(/\s+/g, ' ');
  check(fundingText.includes(EVENT.funding_statement), 'phone: section.funding does not contain the funding statement');
  check(fundingText.includes(EVENT.funding_project_code), 'phone: section.funding does not contain the project code');
  const organisersText = await ppage.locator('section.organisations').first().innerText();
  for (const name of EVENT.organisers) {
    check(organisersText.includes(name), `phone: the organiser "${name}" is not listed`);
  }
  const lang = await ppage.evaluate(() => document.documentElement.lang);
  check(lang === 'bg', `phone: <html lang="${lang}">, expected "bg"`);
  const widths = await ppage.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (widths.scrollWidth > widths.innerWidth) {
    // Name the elements that stick out, to make the failure useful.
    const wide = await ppage.evaluate(() => {
      const out = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 0.5) {
          out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right edge ${Math.round(r.right)})`);
        }
        if (out.length >= 5) break;
      }
      return out;
    });
    throw new CheckFailed(`phone: horizontal overflow, scrollWidth ${widths.scrollWidth} > innerWidth ${widths.innerWidth}; wide elements: ${wide.join(', ')}`);
  }
  mkdirSync(screenshotDir, { recursive: true });
  const shot = join(screenshotDir, 'event-phone.png');
  await ppage.screenshot({ path: shot, fullPage: true });
  log(`phone page checked (scrollWidth ${widths.scrollWidth} <= ${widths.innerWidth}); screenshot ${shot}`);
  await phone.close();
}

runMain({
  setup: (dataDir) => runSabor(['user', 'add', '--email', ORGANISER_EMAIL, '--name', ORGANISER_NAME,
    '--role', 'organiser', '--data-dir', dataDir], `${ORGANISER_PASSWORD}\n`),
  journey,
});
