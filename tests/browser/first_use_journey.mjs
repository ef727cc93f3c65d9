// Browser test (issue 11): a full event seen from a phone, and its cancellation with the mail.
// A participant takes the last seat from a 390 px phone; the next visitor sees „Местата са
// заети“ on the event page and on the form before typing anything. The organiser, at 1366 px
// in Bulgarian, cancels the event: the page asks first (how many will be told, a message),
// then says how many were told. The participant's mail carries the message, fits the phone,
// and its link opens their page, which says the event is cancelled.
//
// Prints `browser: 1 passed, 0 failed` as the last line on success.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_TIMEOUT_MS, screenshotDir, check, log, runSabor, runMain, addOrganiser } from './lib.mjs';
import { mailIn, htmlOf } from './mail_reader.mjs';

const ORGANISER = { email: 'cancel@example.bg', password: 'cancel-pass-123', name: 'Ива Петрова' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'bg-BG' };
const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: 'bg-BG' };
const MESSAGE = 'Залата е в ремонт. Ще обявим нова дата до края на месеца.';
let apiToken = '';
let dataDir = '';

async function noSidewaysScroll(page, label) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(scroll <= inner, `${label}: ${scroll} px wide on a ${inner} px screen`);
}

async function journey(browser, baseUrl) {
  mkdirSync(screenshotDir, { recursive: true });
  const participant = await browser.newContext({ ...PHONE, baseURL: baseUrl });
  participant.setDefaultTimeout(STEP_TIMEOUT_MS);
  const auth = { Authorization: `Bearer ${apiToken}` };
  const created = await participant.request.post('/api/v1/events', {
    headers: auth,
    data: {
      title: 'Обучение „Достъпни общини“', kind: 'training', city: 'Ловеч', capacity: 1, waitlist: false,
      starts_at: '2031-09-15T10:00:00+03:00', ends_at: '2031-09-15T16:00:00+03:00', registration_mode: 'open',
      organisers: ['Община Ловеч'], contact_email: 'obuchenia@lovech.example.bg',
    },
  });
  check(created.status() === 201, `creating the event answered ${created.status()}`);
  const event = await created.json();
  await participant.request.post(`/api/v1/events/${event.id}/publish`, { headers: auth });

  // --- The last seat, taken from a phone. ---------------------------------------------------
  const page = await participant.newPage();
  await page.goto(`/events/${event.slug}`);
  const seats = await page.locator('.availability').textContent();
  check(seats.includes('Остава 1 място'), `the event page says "${seats.trim()}" with one seat left`);
  await Promise.all([page.waitForURL(/\/register$/), page.click('.register-cta a')]);
  await page.fill('#email', 'stefan.ivanov@example.bg');
  await page.fill('#name', 'Стефан Иванов');
  await page.check('input[name="consent"]');
  await Promise.all([page.waitForNavigation(), page.click('.registration-form button[type="submit"]')]);
  check((await page.locator('.notice-success').textContent()).includes('потвърдена'), 'the registration was not confirmed');
  log('the last seat is taken from a phone');

  // --- The next visitor sees the event is full before typing anything. ----------------------
  const visitor = await browser.newContext({ ...PHONE, baseURL: baseUrl });
  const vpage = await visitor.newPage();
  await vpage.goto(`/events/${event.slug}`);
  const full = await vpage.locator('.availability').textContent();
  check(full.includes('Местата са заети'), `a full event's page says "${full.trim()}"`);
  check(await vpage.locator('.register-cta').count() === 0, 'a full event still offers the registration button');
  await noSidewaysScroll(vpage, 'full event page');
  await vpage.screenshot({ path: join(screenshotDir, 'full-event-phone.png'), fullPage: true });
  await vpage.goto(`/events/${event.slug}/register`);
  check((await vpage.locator('.availability').textContent()).includes('Местата са заети'), 'the form does not say it is full');
  check(await vpage.locator('#email').count() === 0, 'the form of a full event can still be filled in');
  await noSidewaysScroll(vpage, 'full event form');
  await visitor.close();
  log('a full event looks full on a phone');

  // --- The organiser cancels at a desk, in Bulgarian. ---------------------------------------
  const organiser = await browser.newContext({ ...DESKTOP, baseURL: baseUrl });
  organiser.setDefaultTimeout(STEP_TIMEOUT_MS);
  const admin = await organiser.newPage();
  await admin.goto('/login');
  await admin.fill('input[name="email"]', ORGANISER.email);
  await admin.fill('input[name="password"]', ORGANISER.password);
  await Promise.all([admin.waitForURL((u) => u.pathname === '/admin'), admin.click('form[action="/login"] button[type="submit"]')]);
  await admin.goto(`/admin/events/${event.id}`);
  await Promise.all([admin.waitForURL(/\/cancel$/), admin.click(`a[href="/admin/events/${event.id}/cancel"]`)]);
  const warning = await admin.locator('.notice-warning').textContent();
  check(warning.includes('не може да бъде върната') && warning.includes('1 човек'),
    `the confirmation does not say what happens: "${warning.trim()}"`);
  check((await participant.request.get(`/api/v1/events/${event.id}`)).ok(), 'the event vanished before the confirmation');
  await admin.fill('#message', MESSAGE);
  await admin.screenshot({ path: join(screenshotDir, 'cancel-confirm-desktop.png'), fullPage: true });
  await Promise.all([admin.waitForURL((u) => u.pathname === '/admin'), admin.click('.cancel-event-form button[type="submit"]')]);
  const notice = await admin.locator('.notice').first().textContent();
  check(notice.includes('Уведомени по пощата: 1'), `after cancelling the page says "${notice.trim()}"`);
  log('the organiser cancelled after a confirmation and was told how many were told');

  // --- The participant's mail, read on the phone. -------------------------------------------
  const mail = await mailIn(dataDir, 'stefan.ivanov@example.bg', 'Събитието е отменено');
  check((mail.headers['reply-to'] || '').includes('obuchenia@lovech.example.bg'), 'the mail has no Reply-To the event contact');
  const html = htmlOf(mail);
  check(html.includes(MESSAGE), "the mail lacks the organiser's message");
  const mctx = await browser.newContext({ viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true });
  const mpage = await mctx.newPage();
  await mpage.setContent(html, { waitUntil: 'load' });
  await noSidewaysScroll(mpage, 'the cancellation mail');
  await mpage.screenshot({ path: join(screenshotDir, 'mail-event-cancelled-390.png'), fullPage: true });
  await mctx.close();
  const link = html.match(/href="http:\/\/127\.0\.0\.1:8080(\/r\/[A-Za-z0-9_-]+)"/);
  check(link, 'the mail has no link to the personal page');
  await page.goto(link[1]);
  check((await page.locator('.notice-warning').textContent()).includes('отменено'), 'the personal page does not say the event is cancelled');
  await noSidewaysScroll(page, 'the personal page of a cancelled event');
  log('the mail carries the message, fits the phone and its link shows the cancelled event');
}

runMain({
  setup: (dir) => {
    dataDir = dir;
    apiToken = addOrganiser(dir, ORGANISER);
  },
  journey,
});
