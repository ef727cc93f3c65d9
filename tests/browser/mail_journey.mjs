// Browser test (issue 11, items 6-8): the confirmation and the reminder, as the participant
// reads them on a phone. Each mail's HTML (from the .eml sabor writes without an SMTP server,
// with the inline QR code put back in) fits a 320 px and a 390 px screen without sideways
// scrolling, shows the organisers and the event's contact, and its check-in link opens the
// participant's own card (their name and the QR code), never an organisers' login.
//
// Prints `browser: 1 passed, 0 failed` as the last line on success.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_TIMEOUT_MS, screenshotDir, check, log, runSabor, runMain, addOrganiser } from './lib.mjs';
import { mailIn, htmlOf } from './mail_reader.mjs';

const ORGANISER = { email: 'mail@example.bg', password: 'mail-pass-123', name: 'Мира Стоянова' };
const PARTICIPANT = { name: 'Елена Димитрова-Георгиева', email: 'elena.dimitrova-georgieva.obshtina@veliko-tarnovo-example.bg' };
const CONTACT = { contact_email: 'sabitia.i.obshtestveni.obsazhdania@veliko-tarnovo-example.bg', contact_phone: '+359 62 619 229' };
let apiToken = '';
let dataDir = '';

// Reads the mail at 320 and 390 px: no sideways scrolling; returns the card link's path.
async function readOnPhones(browser, mail, label) {
  const html = htmlOf(mail);
  check(html.includes(ORGANISER_LINE), `${label}: the HTML is not signed by the organisers`);
  check(html.includes(CONTACT.contact_email) && html.includes(CONTACT.contact_phone), `${label}: no contact in the HTML`);
  check(!html.includes('/admin/'), `${label}: the mail links an organisers' page`);
  check(html.includes('data:image/png;base64,'), `${label}: the mail has no inline QR code`);
  for (const width of [320, 390]) {
    const ctx = await browser.newContext({ viewport: { width, height: 800 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    check(scroll <= width && inner === width, `${label} at ${width} px: ${scroll} px wide (sideways scrolling)`);
    const qr = await page.locator('img[alt^="QR"]').boundingBox();
    check(qr && qr.width >= 150 && qr.x + qr.width <= width, `${label} at ${width} px: the QR code is cut or too small`);
    await page.screenshot({ path: join(screenshotDir, `mail-${label}-${width}.png`), fullPage: true });
    await ctx.close();
  }
  const href = html.match(/href="http:\/\/127\.0\.0\.1:8080(\/card\/[0-9]+-[0-9a-f]+)"/);
  check(href, `${label}: no link to the participant's check-in card`);
  log(`${label}: fits 320 and 390 px, signed by the organisers, with the contact and the QR code`);
  return href[1];
}

const ORGANISER_LINE = 'Община Велико Търново, Сдружение „Читалища на Велико Търново“';

async function journey(browser, baseUrl) {
  mkdirSync(screenshotDir, { recursive: true });
  const api = await browser.newContext({ baseURL: baseUrl });
  api.setDefaultTimeout(STEP_TIMEOUT_MS);
  const auth = { Authorization: `Bearer ${apiToken}` };
  // Three hours from now, so the reminder (a day before) is due at once.
  const start = new Date(Date.now() + 3 * 3600 * 1000);
  const created = await api.request.post('/api/v1/events', {
    headers: auth,
    data: {
      title: 'Обществено обсъждане на Програмата за развитие на читалищата в Община Велико Търново 2031–2035',
      kind: 'meeting', city: 'Велико Търново', venue: 'Зала „Тържествена“ на Общината', capacity: 80,
      starts_at: start.toISOString().replace(/\.\d+Z$/, 'Z'),
      ends_at: new Date(start.getTime() + 2 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      registration_mode: 'open', organisers: ['Община Велико Търново', 'Сдружение „Читалища на Велико Търново“'],
      ...CONTACT,
    },
  });
  check(created.status() === 201, `creating the event answered ${created.status()}: ${await created.text()}`);
  const event = await created.json();
  check((await api.request.post(`/api/v1/events/${event.id}/publish`, { headers: auth })).status() === 200, 'publishing failed');
  const reg = await api.request.post(`/api/v1/events/${event.id}/registrations`,
    { data: { ...PARTICIPANT, consent: true, organisation: 'Народно читалище „Надежда 1869“ – Велико Търново' } });
  check(reg.status() === 201, `registering answered ${reg.status()}`);

  // --- The confirmation. -------------------------------------------------------------
  const confirmation = await mailIn(dataDir, PARTICIPANT.email, 'Потвърдена регистрация');
  const card = await readOnPhones(browser, confirmation, 'confirmation');

  // --- The reminder (switched on after registering: due at once, sent within seconds). ---
  const put = await api.request.put(`/api/v1/events/${event.id}/scheduled-messages`,
    { headers: auth, data: { reminder: { enabled: true, offset_minutes: 24 * 60 } } });
  check(put.status() === 200, `switching the reminder on answered ${put.status()}`);
  const reminder = await mailIn(dataDir, PARTICIPANT.email, 'Напомняне');
  const subject = Buffer.from(reminder.headers.subject.replace(/=\?utf-8\?b\?([^?]+)\?=\s*/gi,
    (_, b) => Buffer.from(b, 'base64').toString('latin1')), 'latin1').toString('utf8');
  check(/ е (днес|утре)$/.test(subject), `the reminder's subject is “${subject}”`);
  check(reminder.parts.some((p) => p.type === 'text/calendar'), 'the reminder has no .ics');
  const reminderCard = await readOnPhones(browser, reminder, 'reminder');
  check(reminderCard === card, 'the reminder links another card than the confirmation');

  // --- The check-in link, followed on a phone without any session. -----------------------
  const phone = await browser.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 }, isMobile: true,
    hasTouch: true, locale: 'bg-BG' });
  phone.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await phone.newPage();
  const res = await page.goto(card);
  check(res.status() === 200, `the card answered ${res.status()}`);
  check(!page.url().includes('/login') && !page.url().includes('/admin'), `the card link went to ${page.url()}`);
  check((await page.locator('h1').textContent()).includes(PARTICIPANT.name), 'the card does not show the name');
  const qr = await page.locator('img.qr').boundingBox();
  check(qr && qr.width >= 200, `the card's QR code is ${qr && qr.width} px wide: too small to scan`);
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(scroll <= inner, `the card: ${scroll} > ${inner} px`);
  await page.screenshot({ path: join(screenshotDir, 'checkin-card-390.png'), fullPage: true });
  log('the check-in link opens the participant\'s card: name and QR code, no login');

  // --- The event page shows the contact. --------------------------------------------------
  await page.goto(`/events/${event.slug}`);
  check(await page.locator(`a[href="mailto:${CONTACT.contact_email}"]`).isVisible(), 'the event page shows no contact address');
  const [w2, i2] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(w2 <= i2, `the event page: ${w2} > ${i2} px`);
  await page.screenshot({ path: join(screenshotDir, 'event-contact-390.png'), fullPage: true });
  log('the event page shows the contact');
}

runMain({
  setup: (dir) => {
    dataDir = dir;
    apiToken = addOrganiser(dir, ORGANISER);
  },
  journey,
});
