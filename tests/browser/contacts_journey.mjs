// Browser test: an organiser imports the region's contacts from a Windows-1251 CSV (preview,
// then confirm), invites the mayors to an invitation-only event with a preview first; an
// invitee opens the personal link from the message on a phone, finds the form filled in and
// registers; the organiser sees them counted as registered.
//
// Prints `browser: 1 passed, 0 failed` as the last line on success.

import { existsSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_TIMEOUT_MS, screenshotDir, sourceDir, check, log, runSabor, runMain, addOrganiser } from './lib.mjs';

const ORGANISER = { email: 'invite@kardzhali.bg', password: 'invite-pass-123', name: 'Мария Колева' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'bg-BG' };
let apiToken = '';
let dataDir = '';

async function createEvent(request) {
  const auth = { Authorization: `Bearer ${apiToken}` };
  const created = await request.post('/api/v1/events', {
    headers: auth,
    data: {
      title: 'Среща на кметовете – Кърджали', kind: 'meeting', city: 'Кърджали', capacity: 0,
      starts_at: '2031-05-20T10:00:00+03:00', ends_at: '2031-05-20T13:00:00+03:00', registration_mode: 'invitation',
    },
  });
  check(created.status() === 201, `creating the event answered ${created.status()}`);
  const event = await created.json();
  const published = await request.post(`/api/v1/events/${event.id}/publish`, { headers: auth });
  check(published.status() === 200, `publishing answered ${published.status()}`);
  return event;
}

// The personal link in the message the mail worker wrote as an .eml file (no SMTP here).
async function linkFromMail(to) {
  const dir = join(dataDir, 'mail');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (existsSync(dir)) {
      for (const f of readdirSync(dir)) {
        const text = readFileSync(join(dir, f), 'latin1').replace(/=\r?\n/g, '');
        if (!text.includes(`To: ${to}`) && !text.includes(`<${to}>`)) continue;
        const m = text.match(/\/i\/([A-Za-z0-9_-]{32,})/);
        if (m) return `/i/${m[1]}`;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no invitation to ${to} in ${dir}`);
}

async function journey(browser, baseUrl) {
  const errors = [];
  const organiser = await browser.newContext({ baseURL: baseUrl, locale: 'bg-BG' });
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const event = await createEvent(organiser.request);
  const page = await organiser.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/login?next=/admin/contacts/import');
  await page.fill('input[name="email"]', ORGANISER.email);
  await page.fill('input[name="password"]', ORGANISER.password);
  await Promise.all([page.waitForURL(/\/admin\/contacts\/import$/), page.click('form[action="/login"] button[type="submit"]')]);

  // --- Import with a preview. ----------------------------------------------------------
  await page.setInputFiles('#file', join(sourceDir, 'tests/fixtures/contacts/obshtini-1251.csv'));
  await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/contacts/import"] button[type="submit"]')]);
  const summary = await page.locator('.import-summary').textContent();
  const news = (await page.locator('.import-summary .count-new').textContent()).trim();
  check(news === '4' && summary.includes('windows-1251'), `the preview says "${summary.trim()}"`);
  check(await page.locator('.import-rows', { hasText: 'Щастлива Жълтева-Юрукова' }).isVisible(), 'the preview does not list the rows');
  await Promise.all([page.waitForURL(/\/admin\/contacts\?/), page.click('form[action="/admin/contacts/import/confirm"] button[type="submit"]')]);
  check((await page.locator('#contacts-total').textContent()).trim() === '4', 'the list does not show 4 contacts');
  log('imported 4 contacts from a Windows-1251 CSV after a preview');

  // --- Invite the mayors. -------------------------------------------------------------
  await page.goto(`/admin/events/${event.id}/invitations`);
  await page.check('input[name="tags"][value="кметове"]');
  await page.fill('#subject', 'Покана за {{name}}');
  await page.fill('#body', 'Уважаеми {{name}},\n\nКаним Ви на {{event_title}}, {{event_date}}.');
  await Promise.all([page.waitForNavigation(), page.click('button[value="preview"]')]);
  const preview = await page.locator('.preview-subject').textContent();
  check(preview.includes('Покана за Иван Петров'), `the preview subject is "${preview}"`);
  await Promise.all([page.waitForURL(/invited=1/), page.click('button[value="send"]')]);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, 'invitations.png'), fullPage: true });
  log('invited the mayors after a preview');

  // --- The invitee, on a phone, through the personal link. ------------------------------
  const link = await linkFromMail('ivan.petrov@sofia.bg');
  const invitee = await browser.newContext({ ...PHONE, baseURL: baseUrl });
  invitee.setDefaultTimeout(STEP_TIMEOUT_MS);
  const phone = await invitee.newPage();
  phone.on('pageerror', (err) => errors.push(err.message));
  await phone.goto(link);
  check((await phone.inputValue('#name')) === 'Иван Петров', 'the form is not filled in with the name');
  check((await phone.inputValue('#email')) === 'ivan.petrov@sofia.bg', 'the form is not filled in with the address');
  await phone.check('input[name="consent"]');
  await Promise.all([phone.waitForNavigation(), phone.click('.registration-form button[type="submit"]')]);
  const notice = await phone.locator('.notice-success').textContent();
  check(notice.includes('потвърдена'), `after registering the page says "${notice.trim()}"`);
  const width = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(width[0] <= width[1], `horizontal overflow ${width[0]} > ${width[1]}`);
  log('registered through the personal link on a phone');

  // --- The organiser sees it. -----------------------------------------------------------
  await page.goto(`/admin/events/${event.id}/invitations`);
  const registered = (await page.locator('.campaigns .count-registered').first().textContent()).trim();
  check(registered === '1', `the campaign counts ${registered} registered`);
  check(await page.locator('.invitations .status-invitation-registered').isVisible(), 'the invitee is not shown as registered');
  check(errors.length === 0, `JavaScript errors: ${errors.join('; ')}`);
  log('the campaign counts the registration');
}

runMain({
  setup: (dir) => {
    dataDir = dir;
    apiToken = addOrganiser(dir, ORGANISER);
  },
  journey,
});
