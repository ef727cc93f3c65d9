// Browser test: a participant registers from a phone-sized screen, opens their personal
// page with its QR code; then an organiser, also on a phone, finds them at the door by
// typing part of the name and checks them in with one tap; someone from the waiting list is
// found too, with their status, and admitted over capacity.
//
// Prints `browser: 1 passed, 0 failed` as the last line on success.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_TIMEOUT_MS, screenshotDir, check, log, runSabor, runMain } from './lib.mjs';

const ORGANISER = { email: 'door@example.bg', password: 'door-pass-123', name: 'Петя Георгиева' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'bg-BG' };
let apiToken = '';

async function createEvent(request) {
  const auth = { Authorization: `Bearer ${apiToken}` };
  const created = await request.post('/api/v1/events', {
    headers: auth,
    data: {
      title: 'Форум „Общини и НПО“ – Габрово', kind: 'forum', city: 'Габрово', capacity: 1,
      starts_at: '2031-06-10T10:00:00+03:00', ends_at: '2031-06-10T16:00:00+03:00', registration_mode: 'open',
    },
  });
  check(created.status() === 201, `creating the event answered ${created.status()}`);
  const event = await created.json();
  const published = await request.post(`/api/v1/events/${event.id}/publish`, { headers: auth });
  check(published.status() === 200, `publishing answered ${published.status()}`);
  return event;
}

async function journey(browser, baseUrl) {
  // --- A participant on a phone. -----------------------------------------------------
  const participant = await browser.newContext({ ...PHONE, baseURL: baseUrl });
  participant.setDefaultTimeout(STEP_TIMEOUT_MS);
  const event = await createEvent(participant.request);
  const page = await participant.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`/events/${event.slug}`);
  await Promise.all([page.waitForURL(/\/register$/), page.click('.register-cta a')]);
  await page.fill('#email', 'Elena.Dimitrova@example.bg');
  await page.fill('#name', 'Елена Димитрова');
  await page.fill('#organisation', 'Сдружение „Бъдеще“');
  await page.selectOption('#organisation_type', 'ngo');
  await page.fill('#town', 'Габрово');
  await page.check('input[name="consent"]');
  await Promise.all([page.waitForNavigation(), page.click('.registration-form button[type="submit"]')]);
  const notice = await page.locator('.notice-success').textContent();
  check(notice.includes('Регистрацията Ви е потвърдена'), `after registering the page says "${notice.trim()}"`);
  log('registered from a phone-sized screen');

  await Promise.all([page.waitForURL(/\/r\//), page.click('a.button-secondary')]);
  check(await page.locator('img.qr').isVisible(), 'the personal page shows no QR code');
  check((await page.locator('.status').first().textContent()).includes('Потвърдена'), 'the personal page does not say confirmed');
  const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(width[0] <= width[1], `personal page: horizontal overflow ${width[0]} > ${width[1]}`);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, 'personal-page-phone.png'), fullPage: true });
  log('personal page with its QR code checked');

  // --- The organiser at the door, also on a phone. ------------------------------------
  const organiser = await browser.newContext({ ...PHONE, baseURL: baseUrl });
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const desk = await organiser.newPage();
  desk.on('pageerror', (err) => errors.push(err.message));
  await desk.goto(`/login?next=/admin/events/${event.id}/checkin`);
  await desk.fill('input[name="email"]', ORGANISER.email);
  await desk.fill('input[name="password"]', ORGANISER.password);
  await Promise.all([desk.waitForURL(/\/checkin$/), desk.click('form[action="/login"] button[type="submit"]')]);
  await desk.locator('#q').pressSequentially('елена', { delay: 40 });  // no Enter: the list follows the typing
  const item = desk.locator('.checkin-item', { hasText: 'Елена Димитрова' });
  await item.waitFor();
  await Promise.all([desk.waitForNavigation(), item.locator('button[value="check_in"]').tap()]);
  await desk.locator('.checkin-item.is-in', { hasText: 'Елена Димитрова' }).waitFor();
  await desk.screenshot({ path: join(screenshotDir, 'checkin-phone.png'), fullPage: true });
  const list = await organiser.request.get(`/api/v1/events/${event.id}/registrations`, {
    headers: { Authorization: `Bearer ${apiToken}` },
  });
  const items = (await list.json()).items;
  check(items.length === 1 && items[0].checked_in_at, 'the check-in time was not kept');
  log(`checked in at the door (${items[0].checked_in_at})`);

  // --- Someone on the waiting list comes anyway: found, told plainly, admitted over capacity.
  const late = await organiser.request.post(`/api/v1/events/${event.id}/registrations`, {
    data: { name: 'Стоян Стоянов', email: 'stoyan@example.bg', organisation: 'Община Трявна', consent: true },
  });
  check((await late.json()).status === 'waitlisted', 'the second registrant is not on the waiting list');
  await desk.locator('#q').fill('');
  await desk.locator('#q').pressSequentially('стоян', { delay: 40 });
  const waiting = desk.locator('.checkin-item[data-status="waitlisted"]', { hasText: 'Стоян Стоянов' });
  await waiting.waitFor();
  const said = await waiting.textContent();
  check(said.includes('В списъка на чакащите') && said.includes('Няма свободни места (1 от 1'),
    `the waitlisted person's card says "${said.replace(/\s+/g, ' ').trim()}"`);
  const deskWidth = await desk.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(deskWidth[0] <= deskWidth[1], `desk: horizontal overflow ${deskWidth[0]} > ${deskWidth[1]}`);
  await desk.screenshot({ path: join(screenshotDir, 'checkin-waitlisted-phone.png'), fullPage: true });
  await Promise.all([desk.waitForNavigation(), waiting.locator('button[value="admit_over_capacity"]').tap()]);
  await desk.locator('.checkin-item.is-in', { hasText: 'Стоян Стоянов' }).waitFor();
  check((await desk.locator('.notice-success').textContent()).includes('допуснат'), 'no word that they were admitted');
  const again = await organiser.request.get(`/api/v1/events/${event.id}/registrations`, {
    headers: { Authorization: `Bearer ${apiToken}` },
  });
  const stoyan = (await again.json()).items.filter((r) => r.name === 'Стоян Стоянов');
  check(stoyan.length === 1 && stoyan[0].status === 'confirmed' && stoyan[0].checked_in_at,
    'the waitlisted person was not admitted once, confirmed and checked in');
  await desk.screenshot({ path: join(screenshotDir, 'checkin-admitted-phone.png'), fullPage: true });
  check(errors.length === 0, `JavaScript errors: ${errors.join('; ')}`);
  log('a waitlisted person found at the door and admitted over capacity');
}

runMain({
  setup: (dataDir) => {
    runSabor(['user', 'add', '--email', ORGANISER.email, '--name', ORGANISER.name, '--data-dir', dataDir],
      `${ORGANISER.password}\n`);
    apiToken = runSabor(['token', 'create', '--email', ORGANISER.email, '--data-dir', dataDir]).trim();
  },
  journey,
});
