// Browser test (issue 11 #16): an organiser rewords the confirmation of her event in
// Chromium at 1366 px in Bulgarian (the event's nav, the mail's page, a preview in the
// page's frame, save), a participant registers from a 390 px phone, and the confirmation
// read back (the .eml sabor writes) starts with the organiser's text filled in and still
// has the personal link and the QR code, at 390 px without sideways scrolling. The mail's
// page itself is usable at 390 px.
//
// Prints `browser: 1 passed, 0 failed` as the last line on success.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_TIMEOUT_MS, screenshotDir, check, log, runMain, addOrganiser } from './lib.mjs';
import { mailIn, htmlOf } from './mail_reader.mjs';

const ORGANISER = { email: 'texts@example.bg', password: 'texts-pass-123', name: 'Радка Колева' };
const PARTICIPANT = { name: 'Стефан Петков', email: 'stefan.petkov@example.bg' };
const OWN_SUBJECT = 'Записахме Ви за {{event_title}}';
const OWN_TEXT = 'Здравейте, {{name}}!\n\nРадваме се, че ще участвате в „{{event_title}}“ ({{event_date}}).\n\nМоля, носете лична карта – сградата е с пропускателен режим.';
let apiToken = '';
let dataDir = '';

async function noSideways(page, label) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(scroll <= inner, `${label}: ${scroll} px wide in a ${inner} px window (sideways scrolling)`);
}

async function journey(browser, baseUrl) {
  mkdirSync(screenshotDir, { recursive: true });
  const api = await browser.newContext({ baseURL: baseUrl });
  const auth = { Authorization: `Bearer ${apiToken}` };
  const created = await api.request.post('/api/v1/events', {
    headers: auth,
    data: {
      title: 'Обучение по обществени поръчки', kind: 'training', city: 'Смолян', venue: 'Областна администрация',
      capacity: 40, starts_at: '2031-03-18T09:30:00+02:00', ends_at: '2031-03-18T16:00:00+02:00',
      registration_mode: 'open', organisers: ['Областна администрация Смолян'],
    },
  });
  check(created.status() === 201, `creating the event answered ${created.status()}`);
  const event = await created.json();
  check((await api.request.post(`/api/v1/events/${event.id}/publish`, { headers: auth })).status() === 200, 'publishing failed');

  // --- The organiser, at her desk. ------------------------------------------------------
  const desk = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1366, height: 900 }, locale: 'bg-BG' });
  desk.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await desk.newPage();
  await page.goto(`/login?next=/admin/events/${event.id}/messages`);
  await page.fill('input[name="email"]', ORGANISER.email);
  await page.fill('input[name="password"]', ORGANISER.password);
  await Promise.all([page.waitForURL(/\/messages$/), page.click('form[action="/login"] button[type="submit"]')]);
  await Promise.all([page.waitForURL(/\/mail-texts$/), page.click('nav.event-admin-nav >> text=Текстове на писмата')]);
  check((await page.locator('h1').textContent()).includes('Текстове на писмата'), 'the mail texts page has another heading');
  await Promise.all([page.waitForURL(/\/mail-texts\/registration_confirmed\?lang=bg$/),
    page.click('a[href$="/mail-texts/registration_confirmed?lang=bg"]')]);
  check((await page.inputValue('#subject')) === 'Потвърдена регистрация: {{event_title}}', 'the form does not hold the default subject');
  // The saved (default) text is previewed at once, filled in with the organiser's name.
  const frame0 = page.frameLocator('iframe.mail-preview-frame');
  check((await frame0.locator('body').textContent()).includes(`Здравейте, ${ORGANISER.name}!`), 'the first preview is not filled in');

  await page.fill('#subject', OWN_SUBJECT);
  await page.fill('#text', OWN_TEXT);
  await Promise.all([page.waitForNavigation(), page.click('button[value="preview"]')]);
  check((await page.locator('.notice-success').textContent()).includes('още не е запазен'), 'the preview does not say the text is not saved');
  const subject = await page.locator('.mail-preview-subject strong').textContent();
  check(subject === 'Записахме Ви за Обучение по обществени поръчки', `the preview's subject is “${subject}”`);
  const frameText = await page.frameLocator('iframe.mail-preview-frame').locator('body').textContent();
  check(frameText.includes('носете лична карта') && frameText.includes('18 март 2031'), 'the preview does not show the typed text filled in');
  // The frame shows the mail as styled (inline styles allowed in the frame).
  const headerColour = await page.frameLocator('iframe.mail-preview-frame').locator('td').nth(1)
    .evaluate((td) => getComputedStyle(td).backgroundColor);
  check(headerColour === 'rgb(0, 82, 155)', `the preview lost the mail's styles (header ${headerColour})`);
  await page.screenshot({ path: join(screenshotDir, 'mail-text-preview-1366.png'), fullPage: true });
  await page.locator('iframe.mail-preview-frame').screenshot({ path: join(screenshotDir, 'mail-text-preview-frame-1366.png') });
  await Promise.all([page.waitForNavigation(), page.click('button[value="save"]')]);
  check((await page.locator('.notice-success').textContent()).includes('Текстът е запазен'), 'saving says nothing');
  log('the organiser reworded the confirmation, saw it filled in, saved it');

  // --- The same page on a phone. ---------------------------------------------------------
  const phoneDesk = await browser.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 }, isMobile: true,
    hasTouch: true, locale: 'bg-BG', storageState: await desk.storageState() });
  const small = await phoneDesk.newPage();
  await small.goto(`/admin/events/${event.id}/mail-texts/registration_confirmed?lang=bg`);
  await noSideways(small, 'the mail text page at 390 px');
  await small.screenshot({ path: join(screenshotDir, 'mail-text-390.png'), fullPage: true });
  await small.goto(`/admin/events/${event.id}/mail-texts`);
  await noSideways(small, 'the mail texts list at 390 px');
  check((await small.locator('.mail-text-own').count()) === 1, 'the list does not mark the one changed text');

  // --- The participant registers from a phone. ------------------------------------------
  const phone = await browser.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 }, isMobile: true,
    hasTouch: true, locale: 'bg-BG' });
  phone.setDefaultTimeout(STEP_TIMEOUT_MS);
  const p = await phone.newPage();
  await p.goto(`/events/${event.slug}/register`);
  await p.fill('#email', PARTICIPANT.email);
  await p.fill('#name', PARTICIPANT.name);
  const consent = p.locator('input[name="consent"]');
  if (await consent.count()) await consent.check();
  await Promise.all([p.waitForNavigation(), p.click('.registration-form button[type="submit"]')]);

  const mail = await mailIn(dataDir, PARTICIPANT.email, 'Записахме Ви за');
  const text = mail.parts.find((x) => x.type === 'text/plain').data.toString('utf8').replace(/\r\n/g, '\n');
  check(text.startsWith(`Здравейте, ${PARTICIPANT.name}!\n\nРадваме се, че ще участвате в „Обучение по обществени поръчки“`),
    `the mail does not start with the organiser's text: ${text.slice(0, 120)}`);
  check(/\/r\/[A-Za-z0-9_-]+/.test(text), 'the mail lost the personal link');
  const html = htmlOf(mail);
  const view = await phone.newPage();
  await view.setContent(html, { waitUntil: 'load' });
  await noSideways(view, 'the reworded confirmation at 390 px');
  check(await view.locator('img[alt^="QR"]').isVisible(), 'the reworded confirmation has no QR code');
  check((await view.locator('body').textContent()).includes('пропускателен режим'), 'the HTML part lacks the organiser\'s text');
  await view.screenshot({ path: join(screenshotDir, 'mail-text-confirmation-390.png'), fullPage: true });
  log('the participant\'s confirmation carries the organiser\'s text, the link and the QR code, and fits 390 px');
}

runMain({
  setup: (dir) => {
    dataDir = dir;
    apiToken = addOrganiser(dir, ORGANISER);
  },
  journey,
});
