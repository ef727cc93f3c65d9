// Browser test: the newer pages as people see them on a phone (390 px), in Bulgarian and in
// English. The demo organiser walks the demo conference's organisers' pages through their
// tab strip (each tab marks itself as the current page), the admin event list shows its rows
// as cards, and a visitor reads the event page, the programme, the speakers and the materials,
// registers and opens their personal page. The organiser also imports contacts and previews
// an invitation: the contacts list and the invitations page become cards on a phone.
// No page may scroll sideways, and no untranslated catalog key may show.
//
//   cd tests/browser && node pages_journey.mjs   (SABOR_BIN, SABOR_SOURCE_DIR, CHROMIUM as in lib.mjs)
//
// Prints `browser: 1 passed, 0 failed` as the last line on success.

import { join } from 'node:path';
import { STEP_TIMEOUT_MS, sourceDir, check, log, runSabor, runMain } from './lib.mjs';

let demo = { email: '', password: '' };
const PHONE = { width: 390, height: 844 };
// A catalog key that leaked into the page ("prog_add_talk"); the placeholders the messages
// page shows on purpose are written in double braces ({{event_title}}) and are left out.
const KEY = /\b(?:prog|materials|messages|verify|label|error|event|admin|action|register|contacts|invitation|import|unsubscribe)_[a-z_]+\b/;

// The page's own width holds on a phone, and its visible text has no raw key.
async function looksRight(page, what) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(scroll <= inner, `${what}: the page scrolls sideways on a phone (${scroll} > ${inner} px)`);
  const text = (await page.locator('main').innerText()).replace(/\{\{[a-z_]+\}\}/g, '');
  const leaked = text.match(KEY);
  check(!leaked, `${what}: an untranslated key shows: ${leaked && leaked[0]}`);
}

async function journey(browser, baseUrl) {
  for (const lang of ['bg', 'en']) {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: PHONE, locale: lang === 'bg' ? 'bg-BG' : 'en-GB' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    await context.addCookies([{ name: 'lang', value: lang, url: baseUrl }]);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto('/login?next=/admin');
    await page.fill('input[name="email"]', demo.email);
    await page.fill('input[name="password"]', demo.password);
    await Promise.all([page.waitForURL(/\/admin$/), page.click('form[action="/login"] button[type="submit"]')]);

    // --- The admin list: each event a card, its links wrapping inside it. ----------------
    await looksRight(page, `${lang} admin list`);
    const row = page.locator('table.stack-table tbody tr').first();
    check(await row.evaluate((tr) => getComputedStyle(tr).display) === 'block', `${lang}: the admin list's rows are not cards on a phone`);
    const event = await page.evaluate(() => {
      for (const a of document.querySelectorAll('table.stack-table tbody a[href^="/admin/events/"]')) {
        const m = a.getAttribute('href').match(/^\/admin\/events\/(\d+)\/programme$/);
        if (m && a.closest('tr').textContent.includes('Капацитет на гражданското общество')) return m[1];
      }
      return null;
    });
    check(event, `${lang}: the demo conference has no programme link in the admin list`);

    // --- The event's organisers' pages, one tab after the other. ----------------------------
    await page.goto(`/admin/events/${event}`);
    const tabs = [`/admin/events/${event}/registrations`, `/admin/events/${event}/form`,
      `/admin/events/${event}/invitations`, `/admin/events/${event}/messages`, `/admin/events/${event}/mail-texts`,
      `/admin/events/${event}/programme`,
      `/admin/events/${event}/materials`, `/admin/events/${event}`];
    for (const href of tabs) {
      const nav = page.locator('nav.event-admin-nav');
      check(await nav.locator('a').count() === tabs.length, `${lang} ${page.url()}: the tab strip does not have its ${tabs.length} pages`);
      await Promise.all([page.waitForURL((u) => u.pathname === href), nav.locator(`a[href="${href}"]`).click()]);
      const current = await page.locator('nav.event-admin-nav a[aria-current="page"]').getAttribute('href');
      check(current === href, `${lang}: on ${href} the tab marked current is ${current}`);
      await looksRight(page, `${lang} ${href}`);
    }

    // --- Contacts: import a real file, the list, the invitation's preview. -------------------
    await page.goto('/admin/contacts/import');
    await looksRight(page, `${lang} contacts import`);
    await page.setInputFiles('#file', join(sourceDir, 'tests/fixtures/contacts/obshtini-1251.csv'));
    await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/contacts/import"] button[type="submit"]')]);
    await looksRight(page, `${lang} import preview`);
    const figures = await page.locator('.import-summary dd').count();
    check(figures === 5, `${lang}: the import preview shows ${figures} figures, not one a line`);
    await Promise.all([page.waitForURL(/\/admin\/contacts\?/), page.click('form[action="/admin/contacts/import/confirm"] button[type="submit"]')]);
    await looksRight(page, `${lang} contacts list`);
    const card = page.locator('table.stack-table tbody tr').first();
    check(await card.evaluate((tr) => getComputedStyle(tr).display) === 'block', `${lang}: the contacts are not cards on a phone`);
    await page.goto(`/admin/events/${event}/invitations`);
    for (const box of await page.locator('input[name="tags"]').all()) await box.check();
    await Promise.all([page.waitForNavigation(), page.click('button[value="preview"]')]);
    await looksRight(page, `${lang} invitation preview`);
    const mail = page.locator('.invitation-preview .mail-preview');
    check(await mail.locator('.mail-button').isVisible(), `${lang}: the preview has no Register button like the message`);
    check((await mail.locator('.mail-event').innerText()).includes('Капацитет на гражданското общество'),
      `${lang}: the preview has no event box like the message`);
    const current = await page.locator('nav.event-admin-nav a[aria-current="page"]').getAttribute('href');
    check(current === `/admin/events/${event}/invitations`, `${lang}: after a preview the tab marked current is ${current}`);

    // --- A visitor's pages of the conference. -----------------------------------------------
    await page.goto('/');
    const slug = await page.evaluate(() => {
      for (const a of document.querySelectorAll('a[href^="/events/"]'))
        if (a.textContent.includes('Капацитет на гражданското общество')) return a.getAttribute('href').split('/')[2];
      return null;
    });
    check(slug, `${lang}: the demo conference is not on the home page`);
    for (const path of [`/events/${slug}`, `/events/${slug}/programme`, `/events/${slug}/speakers`,
      `/events/${slug}/materials`, `/events/${slug}/programme/print`]) {
      await page.goto(path);
      await looksRight(page, `${lang} ${path}`);
    }
    // A speaker's talks lead to their place in the programme.
    await page.goto(`/events/${slug}/speakers`);
    const talkLink = await page.locator('.speaker-talks a').first().getAttribute('href');
    check(/\/programme#talk-\d+$/.test(talkLink || ''), `${lang}: a speaker's talk links to "${talkLink}"`);
    await page.goto(talkLink);
    check(await page.locator(`#${talkLink.split('#')[1]}`).count() === 1, `${lang}: ${talkLink} is not in the programme`);
    // Someone registers on the phone and opens their personal page.
    const visitor = await browser.newContext({ baseURL: baseUrl, viewport: PHONE });
    await visitor.addCookies([{ name: 'lang', value: lang, url: baseUrl }]);
    const person = await visitor.newPage();
    await person.goto(`/events/${slug}/register`);
    await person.fill('#email', `pages.${lang}@example.bg`);
    await person.fill('#name', 'Мария Иванова-Константинова');
    await person.fill('#organisation', 'Община Велико Търново, дирекция „Социални дейности“');
    await person.check('input[name="consent"]');
    await Promise.all([person.waitForNavigation(), person.click('.registration-form button[type="submit"]')]);
    await Promise.all([person.waitForURL(/\/r\//), person.click('a[href^="/r/"]')]);
    await looksRight(person, `${lang} personal page`);
    await visitor.close();
    // The programme: a session's title is not underlined like the day's heading above it.
    await page.goto(`/events/${slug}/programme`);
    const underline = await page.locator('.programme-session .session-title').first()
      .evaluate((h) => getComputedStyle(h).borderBottomStyle);
    check(underline === 'none', `${lang}: a session title is underlined like a day heading (${underline})`);
    // The printable programme: one table section a session, so a session's heading row
    // stays on the sheet with its talks.
    await page.goto(`/events/${slug}/programme/print`);
    const [blocks, sessions] = await page.evaluate(() => [
      document.querySelectorAll('tbody.print-block').length,
      document.querySelectorAll('tr.print-session').length]);
    check(blocks === sessions && sessions >= 10, `${lang}: ${sessions} sessions in ${blocks} print blocks`);
    await page.emulateMedia({ media: 'print' });
    const keep = await page.locator('tbody.print-block').first().evaluate((b) => getComputedStyle(b).breakInside);
    check(keep === 'avoid', `${lang}: a session's rows may break across sheets (break-inside: ${keep})`);
    check(errors.length === 0, `${lang}: JavaScript errors: ${errors.join('; ')}`);
    log(`${lang}: the tab strip, the admin list and the public pages hold on a phone`);
    await context.close();
  }
}

runMain({
  setup: (dataDir) => {
    const out = runSabor(['demo', '--data-dir', dataDir]);
    demo = { email: out.match(/demo organiser: (\S+)/)[1], password: out.match(/password:\s+(\S+)/)[1] };
  },
  journey,
});
