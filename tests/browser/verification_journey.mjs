// Browser test: an organiser turns on e-mail verification for an event; a participant on a
// phone registers, is told to check their mail, opens the mailed link (read from the .eml
// file sabor writes without an SMTP server), confirms with the one button and lands on
// their personal page, confirmed. Then the organiser switches the reminder on.
//
// Prints `browser: 1 passed, 0 failed` as the last line on success.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_TIMEOUT_MS, screenshotDir, check, log, runSabor, runMain } from './lib.mjs';

const ORGANISER = { email: 'verify@example.bg', password: 'verify-pass-123', name: 'Мира Стоянова' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'bg-BG' };
let apiToken = '';
let dataDir = '';

// The verification link in the .eml written for `address` (quoted-printable undone).
async function mailedLink(address) {
  const dir = join(dataDir, 'mail');
  for (let i = 0; i < 100; i++) {
    if (existsSync(dir)) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
        const raw = readFileSync(join(dir, name), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
        const m = raw.match(/http:\/\/127\.0\.0\.1:8080(\/v\/[A-Za-z0-9_-]+)/);
        if (m && raw.includes(address)) return m[1];
      }
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no verification message for ${address} in ${dir}`);
}

async function journey(browser, baseUrl) {
  // --- The organiser turns verification on. ---------------------------------------------
  const organiser = await browser.newContext({ baseURL: baseUrl, locale: 'bg-BG' });
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const auth = { Authorization: `Bearer ${apiToken}` };
  const created = await organiser.request.post('/api/v1/events', {
    headers: auth,
    data: {
      title: 'Семинар „Чиста енергия“ – Плевен', kind: 'seminar', city: 'Плевен', capacity: 30,
      starts_at: '2031-04-15T10:00:00+03:00', ends_at: '2031-04-15T16:00:00+03:00', registration_mode: 'open',
    },
  });
  check(created.status() === 201, `creating the event answered ${created.status()}`);
  const event = await created.json();
  check((await organiser.request.post(`/api/v1/events/${event.id}/publish`, { headers: auth })).status() === 200,
    'publishing failed');
  const admin = await organiser.newPage();
  await admin.goto(`/login?next=/admin/events/${event.id}/form`);
  await admin.fill('input[name="email"]', ORGANISER.email);
  await admin.fill('input[name="password"]', ORGANISER.password);
  await Promise.all([admin.waitForURL(/\/form$/), admin.click('form[action="/login"] button[type="submit"]')]);
  await admin.check('input[name="verify_email"]');
  await Promise.all([admin.waitForURL(/saved=1/), admin.click('.form-settings button[type="submit"]')]);
  check(await admin.locator('input[name="verify_email"]').isChecked(), 'the verification switch did not stay on');
  log('verification switched on on the form settings page');

  // --- A participant on a phone. -------------------------------------------------------
  const participant = await browser.newContext({ ...PHONE, baseURL: baseUrl });
  participant.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await participant.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`/events/${event.slug}/register`);
  await page.fill('#email', 'Ivo.Petrov@example.bg');
  await page.fill('#name', 'Иво Петров');
  await page.fill('#organisation', 'Община Плевен');
  await page.check('input[name="consent"]');
  await Promise.all([page.waitForNavigation(), page.click('.registration-form button[type="submit"]')]);
  const heading = await page.locator('h1').textContent();
  check(heading.includes('Проверете пощата си'), `after the form the page says "${heading.trim()}"`);
  let regs = await (await organiser.request.get(`/api/v1/events/${event.id}/registrations`, { headers: auth })).json();
  check(regs.total === 0, 'a registration was made before the address was confirmed');
  log('told to check the mail; nothing registered yet');

  const link = await mailedLink('ivo.petrov@example.bg');
  await page.goto(link);
  const button = page.locator('form button[type="submit"]', { hasText: 'Потвърждавам регистрацията' });
  check(await button.isVisible(), 'the link page has no confirmation button');
  const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(width[0] <= width[1], `link page: horizontal overflow ${width[0]} > ${width[1]}`);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, 'verify-link-phone.png'), fullPage: true });
  await Promise.all([page.waitForURL(/\/r\//), button.tap()]);
  check((await page.locator('.status').first().textContent()).includes('Потвърдена'), 'the personal page does not say confirmed');
  regs = await (await organiser.request.get(`/api/v1/events/${event.id}/registrations`, { headers: auth })).json();
  check(regs.total === 1 && regs.items[0].status === 'confirmed', 'the confirmed registration is not in the list');
  log('confirmed with the one button; landed on the personal page');

  // --- The organiser switches the reminder on. ----------------------------------------
  await admin.goto(`/admin/events/${event.id}/messages`);
  await admin.check('input[name="reminder_enabled"]');
  await Promise.all([admin.waitForURL(/saved=1/), admin.click('.form-messages button[type="submit"]')]);
  const state = await admin.locator('#message-reminder .message-state').textContent();
  check(state.includes('Ще бъде изпратено на 14 април 2031'), `the reminder's state says "${state.trim()}"`);
  await admin.screenshot({ path: join(screenshotDir, 'scheduled-messages.png'), fullPage: true });
  check(errors.length === 0, `JavaScript errors: ${errors.join('; ')}`);
  log('reminder switched on for the day before');
}

runMain({
  setup: (dir) => {
    dataDir = dir;
    runSabor(['user', 'add', '--email', ORGANISER.email, '--name', ORGANISER.name, '--data-dir', dir],
      `${ORGANISER.password}\n`);
    apiToken = runSabor(['token', 'create', '--email', ORGANISER.email, '--data-dir', dir]).trim();
  },
  journey,
});
