// The browser journey: a new student, in Debian's Chromium driven by
// playwright-core, against a stack t/journey.t started (nginx, the
// programs, the Stripe emulator).  Each step does what a person does
// (fills the forms, presses the buttons, follows the links) and asserts
// what the page shows; every page is photographed at 1280 and 390 px wide
// into OUTDIR, and at 390 px no page may scroll sideways.  Prints TAP.
// Usage: node journey.js BASE_URL OUTDIR COUPON MAIL_DIR ADMIN_EMAIL ADMIN_PASSWORD
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { chromium } = require('playwright-core');

const [base, outdir, coupon, maildir, adminEmail, adminPassword] = process.argv.slice(2);
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };
const STUDENT = { name: 'Journey Student', email: `journey${process.pid}@example.org`, password: 'correct horse battery staple' };

// TAP.
let count = 0;
let failed = 0;
function ok(cond, name, diag) {
  count++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${count} - ${name}`);
  if (!cond && diag !== undefined)
    console.log(String(diag).split('\n').map((l) => `# ${l}`).join('\n'));
  return cond;
}
function is(got, want, name) { return ok(got === want, name, `got: ${got}\nwant: ${want}`); }
function like(got, re, name) { return ok(re.test(got), name, `got: ${String(got).slice(0, 400)}\nwant: ${re}`); }

// Photographs the page at both widths and checks the narrow one fits.
let shots = 0;
async function shot(page, name) {
  const file = `${String(++shots).padStart(2, '0')}-${name}`;
  await page.screenshot({ path: path.join(outdir, `${file}-1280.png`), fullPage: true });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: path.join(outdir, `${file}-390.png`), fullPage: true });
  const [sw, iw] = await page.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth]);
  ok(sw <= iw, `${name}: at 390 px the page does not scroll sideways (${sw} <= ${iw})`);
  await page.setViewportSize(WIDE);
}

const text = (page, sel) => page.locator(sel).first().innerText();
const main = (page) => text(page, 'main');

async function guestSearchesAndPreviews(browser) {
  const ctx = await browser.newContext({ viewport: WIDE });
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  is(await text(page, 'h1'), 'Courses', 'a guest opens the catalog');
  await shot(page, 'catalog');
  // The catalog's own form: words and a type.
  await page.fill('#q', 'testing');
  await page.selectOption('#type', 'self_paced');
  await Promise.all([page.waitForNavigation(), page.click('form[role=search] button[type=submit]')]);
  like(page.url(), /\/courses\?q=testing&type=self_paced/, 'the search form sends the words and the type');
  const titles = await page.locator('ul.courses li.card h2').allInnerTexts();
  ok(titles.includes('Testing in Practice') && titles.every((t) => /test/i.test(t)), 'and finds the matching course', titles);
  await shot(page, 'search');
  await Promise.all([page.waitForNavigation(), page.click('text=Testing in Practice')]);
  await shot(page, 'course');
  await Promise.all([page.waitForNavigation(), page.click('a.tag:has-text("Free preview")')]);
  is(await text(page, 'h1'), 'What a good test asserts', 'the guest opens the preview lesson');
  like(await main(page), /free preview/, 'which says it is a preview');
  like(await text(page, '.lesson-body'), /A test is worth what its assertions check/, 'and shows its text');
  await shot(page, 'preview-lesson');
  const res = await page.goto(`${base}/learn/testing-in-practice/2`);
  is(res.status(), 403, 'the next lesson is closed to a guest');
  ok(!/Tests that break whenever the code/.test(await res.text()), 'and its text is not sent');
  await shot(page, 'closed-lesson');
  await ctx.close();
}

async function register(page) {
  await page.goto(`${base}/`);
  await Promise.all([page.waitForNavigation(), page.click('header >> text=Register')]);
  await page.fill('#name', STUDENT.name);
  await page.fill('#email', STUDENT.email);
  await page.fill('#password', STUDENT.password);
  await shot(page, 'register');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  like(await text(page, 'h1'), /Welcome, Journey Student/, 'the new student lands on the dashboard');
  await shot(page, 'dashboard-new');
}

async function addToCart(page, slug) {
  await page.goto(`${base}/courses/${slug}`);
  await Promise.all([page.waitForNavigation(), page.click('#buy button:has-text("Add to cart")')]);
  like(await main(page), /Added to your cart/, `${slug} goes into the cart`);
}

// Pays on the emulator's page with card; returns the page it ends on.
async function checkout(page, card) {
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Check out")')]);
  like(page.url(), /\/c\/pay\/cs_/, 'Check out leads to Stripe\'s page');
  await shot(page, card.startsWith('4242') ? 'stripe-checkout' : 'stripe-checkout-again');
  await page.fill('#card', card);
  await Promise.all([page.waitForNavigation(), page.click('#pay')]);
}

async function buyTwoWithCoupon(page) {
  await page.goto(`${base}/courses/testing-in-practice`);
  await Promise.all([page.waitForNavigation(), page.click('#buy button:has-text("Add to wishlist")')]);
  like(await text(page, '#buy'), /Wishlisted/, 'the student wishlists a course');
  await page.goto(`${base}/account/wishlist`);
  await shot(page, 'wishlist');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Move to cart")')]);
  like(await main(page), /Moved from your wishlist to your cart/, 'and moves it to the cart');
  await addToCart(page, 'sql-for-analysts');
  is(await text(page, '#total'), '$98.00', 'two paid courses: $59.00 + $39.00');
  await page.fill('#code', coupon);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Apply")')]);
  like(await main(page), /The coupon is applied/, `the coupon ${coupon} applies`);
  is(await text(page, '#total'), '$78.40', 'and takes 20% off');
  await shot(page, 'cart-with-coupon');
  await checkout(page, '4242 4242 4242 4242');
  like(page.url(), /\/payment\/order\/\d+$/, 'paying with 4242 lands on the receipt');
  like(await main(page), /Payment received: your courses are ready/, 'which says the payment was received');
  like(await text(page, 'h1'), /Receipt for order ORD-/, 'and is the order\'s receipt');
  is(await text(page, '#order-total'), '$78.40', 'of $78.40');
  await shot(page, 'receipt');
  await page.goto(`${base}/account/billing`);
  like(await text(page, '#payments'), /\$78\.40[\s\S]*Paid/, 'billing lists the payment');
  ok(await page.locator('#payments a:has-text("Receipt")').count() === 1, 'with Stripe\'s receipt');
  await shot(page, 'billing');
}

async function completeCourse(page, browser) {
  await Promise.all([page.waitForNavigation(), page.click('header >> text=My courses')]);
  const titles = await page.locator('#library h3').allInnerTexts();
  ok(titles.includes('Testing in Practice') && titles.includes('SQL for Analysts'), 'My courses lists both', titles);
  await shot(page, 'my-courses');
  // Back on the dashboard, the course waits under Continue learning.
  await Promise.all([page.waitForNavigation(), page.click('header >> text=Journey Student')]);
  const card = page.locator('section:has(h2:text("Continue learning")) li', { hasText: 'Testing in Practice' });
  await Promise.all([page.waitForNavigation(), card.locator('a.button:has-text("Start")').click()]);
  is(await text(page, 'h1'), 'What a good test asserts', 'Start on the dashboard opens the first lesson');
  await shot(page, 'lesson');
  for (let n = 1; n <= 3; n++) {
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Mark complete")')]);
  }
  like(await main(page), /You completed the course/, 'marking every lesson complete completes the course');
  is(await page.locator('#course-progress').getAttribute('value'), '100', 'at 100%');
  await shot(page, 'course-completed');
  await Promise.all([page.waitForNavigation(), page.click('text=See your certificate')]);
  like(await text(page, '#certificate'), /This certifies that\s+Journey Student\s+completed the course\s+Testing in Practice/,
    'the certificate names the student and the course');
  await shot(page, 'certificate');
  for (const format of ['A4', 'Letter']) {
    const pdf = (await page.pdf({ format })).toString('latin1');
    is((pdf.match(/\/Type\s*\/Page[^s]/g) || []).length, 1, `the certificate prints on one ${format} page`);
  }
  const url = await page.locator('.share a.cert-url').getAttribute('href');
  const guest = await browser.newContext({ viewport: WIDE });
  const gp = await guest.newPage();
  const res = await gp.goto(url);
  is(res.status(), 200, 'anyone can open the verification URL');
  like(await text(gp, '#verification'), /Valid certificate/, 'which says the certificate is valid');
  await shot(gp, 'certificate-verified');
  await guest.close();
  await page.goto(`${base}/account/my-courses?status=completed`);
  like(await text(page, '#library'), /Testing in Practice[\s\S]*Completed/, 'My courses shows it completed');
  await page.goto(`${base}/account/dashboard`);
  is(await text(page, '#stat-completed'), '1', 'the dashboard counts it');
  await shot(page, 'dashboard');
  await page.goto(`${base}/account/progress`);
  await shot(page, 'progress');
}

async function declinedCard(page) {
  await addToCart(page, 'c-programming-fundamentals');
  await shot(page, 'cart');
  await checkout(page, '4000 0000 0000 0002');
  like(await text(page, '.error'), /Your card was declined/, 'a declined card is refused on Stripe\'s page');
  await shot(page, 'declined');
  const res = await page.goto(`${base}/learn/c-programming-fundamentals/2`);
  is(res.status(), 403, 'the course stays closed');
  is(await page.locator('#why').getAttribute('data-reason'), 'not_bought', 'as not bought');
  await page.goto(`${base}/payment/cart`);
  like(await text(page, 'table.cart'), /C Programming Fundamentals/, 'the cart still holds the course');
  await shot(page, 'cart-after-decline');
}

// The newest .eml file in MAIL_DIR that holds re, waited for (the mail
// worker sends within a second or so); returns re's first group.
async function mailLink(re) {
  for (let i = 0; i < 100; i++) {
    const files = fs.readdirSync(maildir).filter((f) => f.endsWith('.eml'))
      .map((f) => path.join(maildir, f))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    for (const f of files) {
      const m = fs.readFileSync(f, 'utf8').replace(/=\r?\n/g, '').match(re);
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function forgotPassword(page) {
  await Promise.all([page.waitForNavigation(), page.click('header >> text=Log out')]);
  await page.goto(`${base}/account/login`);
  await Promise.all([page.waitForNavigation(), page.click('#forgot-link')]);
  like(await text(page, 'h1'), /Forgot your password/, 'the login page leads to "Forgot your password?"');
  await page.fill('#email', STUDENT.email);
  await shot(page, 'forgot');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  like(await text(page, 'h1'), /Check your mail/, 'the store says to check the mail');
  await shot(page, 'forgot-sent');
  const link = await mailLink(/(https?:\/\/\S*\/account\/reset-password\?token=[0-9a-f]+)/);
  ok(link !== null, 'the mail with the reset link arrives');
  await page.goto(link);
  like(await text(page, 'h1'), /Choose a new password/, 'the link opens the new-password form');
  const fresh = `${STUDENT.password} again`;
  await page.fill('#password', fresh);
  await shot(page, 'reset');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  like(await main(page), /Your new password is set/, 'the new password is set and the student is logged in');
  await Promise.all([page.waitForNavigation(), page.click('header >> text=Log out')]);
  await page.goto(`${base}/account/login`);
  await page.fill('#email', STUDENT.email);
  await page.fill('#password', fresh);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  like(await text(page, 'h1'), /Welcome, Journey Student/, 'and logs in with it');
}

// A cover picture made here, a real PNG: a 160x90 gradient (a lighthouse
// keeper's evening sky).
function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function coverPng(w = 160, h = 90) {
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + 3 * w);
    for (let x = 0; x < w; x++) row.set([40 + (x * 200) / w, 60 + (y * 120) / h, 160], 1 + 3 * x);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

const NEW_COURSE = { title: 'Lighthouse Keeping', slug: 'lighthouse-keeping', price: '40.00',
  lessons: [['Lamps and wicks', 'Trim the **wick** every evening.'], ['Lenses and logbooks', 'Polish the lens; write the log.']] };
const ADMIN_COUPON = 'LIGHT50';

// The admin logs in and opens the admin home from the header.
async function adminLogsIn(browser) {
  const ctx = await browser.newContext({ viewport: WIDE });
  const admin = await ctx.newPage();
  admin.setDefaultTimeout(15000);
  await admin.goto(`${base}/account/login`);
  await admin.fill('#email', adminEmail);
  await admin.fill('#password', adminPassword);
  await Promise.all([admin.waitForNavigation(), admin.click('main button[type=submit]')]);
  await Promise.all([admin.waitForNavigation(), admin.click('header a[href="/admin/"]')]);
  is(await text(admin, 'h1'), 'Administration', 'the admin opens the admin pages from the header');
  await shot(admin, 'admin-home');
  return admin;
}

const adminNav = (admin, area) => Promise.all([admin.waitForNavigation(), admin.click(`.admin-nav >> text=${area}`)]);
const press = (page, label) => Promise.all([page.waitForNavigation(), page.click(`main button:has-text("${label}")`)]);

// Through the forms only: a course with a cover and two lessons, and a
// coupon for it.
async function adminBuildsCourseAndCoupon(admin) {
  await adminNav(admin, 'Courses');
  await shot(admin, 'admin-courses');
  await Promise.all([admin.waitForNavigation(), admin.click('main a:has-text("New course")')]);
  await admin.fill('#title', NEW_COURSE.title);
  await admin.fill('#slug', NEW_COURSE.slug);
  await admin.fill('#summary', 'Keep the light burning through every storm.');
  await admin.fill('#description', '# The light\n\nA keeper *never* lets it go out.');
  await admin.selectOption('#course_type', 'self_paced');
  await admin.fill('#instructor', 'Grace Keeper');
  await admin.fill('#price', NEW_COURSE.price);
  await shot(admin, 'admin-course-new');
  await press(admin, 'Create the course');
  like(await main(admin), /The course is created/, 'the admin creates a course through the form');
  await admin.setInputFiles('#cover-file', { name: 'lighthouse.png', mimeType: 'image/png', buffer: coverPng() });
  await admin.fill('#cover_alt', 'A lighthouse against the evening sky');
  await press(admin, 'Upload the cover');
  like(await main(admin), /The cover is/, 'uploads its cover');
  for (const [title, body] of NEW_COURSE.lessons) {
    await admin.fill('#lesson_title', title);
    await admin.fill('#lesson_body', body);
    await admin.fill('#lesson_minutes', '10');
    await press(admin, 'Add the lesson');
  }
  const lessons = await admin.locator('#lessons tbody tr td a').allInnerTexts();
  is(lessons.join(' | '), NEW_COURSE.lessons.map((l) => l[0]).join(' | '), 'and adds two lessons in order');
  await shot(admin, 'admin-course');

  await adminNav(admin, 'Coupons');
  await Promise.all([admin.waitForNavigation(), admin.click('main a:has-text("New coupon")')]);
  await admin.fill('#code', ADMIN_COUPON);
  await admin.fill('#description', 'Half off the lighthouse');
  await admin.fill('#percent_off', '50');
  await admin.check(`#course-list label:has-text("${NEW_COURSE.title}") input`);
  await shot(admin, 'admin-coupon-new');
  await press(admin, 'Create the coupon');
  like(await main(admin), new RegExp(ADMIN_COUPON), `and makes the coupon ${ADMIN_COUPON} for it`);
  await shot(admin, 'admin-coupon');
}

// The student finds the new course with its cover, buys it with the
// admin's coupon and opens its lessons.
async function studentBuysNewCourse(page) {
  await page.goto(`${base}/courses`);
  const card = page.locator('ul.courses li.card', { hasText: NEW_COURSE.title });
  is(await card.locator('img.cover').getAttribute('alt'), 'A lighthouse against the evening sky',
    'the catalog shows the new course with its cover and alt text');
  const cover = await page.request.get(new URL(await card.locator('img.cover').getAttribute('src'), base).href);
  is(cover.headers()['content-type'], 'image/png', 'the cover is served as a PNG');
  await addToCart(page, NEW_COURSE.slug);
  await page.fill('#code', ADMIN_COUPON);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Apply")')]);
  is(await text(page, '#total'), '$20.00', 'the admin\'s coupon takes half of $40.00');
  await checkout(page, '4242 4242 4242 4242');
  like(await main(page), /Payment received/, 'the student pays');
  await page.goto(`${base}/learn/${NEW_COURSE.slug}/1`);
  is(await text(page, 'h1'), NEW_COURSE.lessons[0][0], 'and opens the first lesson');
  like(await text(page, '.lesson-body strong'), /wick/, 'written in CommonMark');
  await page.goto(`${base}/learn/${NEW_COURSE.slug}/2`);
  is(await text(page, 'h1'), NEW_COURSE.lessons[1][0], 'and the second');
  await shot(page, 'new-course-lesson');
}

async function adminStore(browser, page) {
  const admin = await adminLogsIn(browser);
  await adminBuildsCourseAndCoupon(admin);
  await studentBuysNewCourse(page);
  await admin.goto(`${base}/admin/audit`);
  const log = await main(admin);
  ok(/course\.create/.test(log) && /coupon\.create/.test(log) && /lesson/.test(log),
    'the audit log shows the course, its lessons and the coupon being made', log.slice(0, 600));
  await shot(admin, 'admin-audit');
  await admin.context().close();
}

// The admin finds the student's first order by email, refunds one of its
// two courses through Stripe and sees the refund in the reports; the
// student loses that course only and is told by mail.
async function adminRefundsOneCourse(browser, page) {
  const admin = await adminLogsIn(browser);
  await adminNav(admin, 'Reports');
  const refunded = () => text(admin, '#currency-usd [data-figure="refunded"]');
  is(await refunded(), '$0.00', 'the reports show nothing refunded yet');
  await adminNav(admin, 'Orders');
  await admin.fill('#q', STUDENT.email);
  await press(admin, 'Show orders');
  const row = admin.locator('#orders tbody tr', { hasText: '$78.40' });
  is(await row.count(), 1, 'the admin finds the student\'s $78.40 order by email');
  await shot(admin, 'admin-orders');
  await Promise.all([admin.waitForNavigation(), row.locator('a').first().click()]);
  await admin.selectOption('#refund-kind', 'items');
  await admin.check('#refund-form label:has-text("SQL for Analysts") input');
  await admin.fill('#refund-note', 'Asked for by the student');
  await shot(admin, 'admin-order');
  await press(admin, 'Refund through Stripe');
  is(await text(admin, '#order-refunded'), '$31.20', 'refunds SQL for Analysts, $39.00 less its 20%: $31.20');
  like(await text(admin, '#items tr:has-text("SQL for Analysts") td.access'), /ended/, 'whose access ends');
  like(await text(admin, '#items tr:has-text("Testing in Practice") td.access'), /open/, 'while the other course stays open');
  await shot(admin, 'admin-order-refunded');
  let res = await page.goto(`${base}/learn/sql-for-analysts/2`);
  is(res.status(), 403, 'the student can no longer open the refunded course');
  res = await page.goto(`${base}/learn/testing-in-practice/2`);
  is(res.status(), 200, 'but still opens the other');
  const mail = await mailLink(/(we have refunded \$31\.20 of your order)/);
  ok(mail !== null, 'and gets a mail about the $31.20 refund');
  await adminNav(admin, 'Reports');
  is(await refunded(), '$31.20', 'the reports count the refund');
  await shot(admin, 'admin-reports');
  await admin.context().close();
}

// The student, now a manager at work, makes a team, buys it 3 seats of
// the course still in the cart, takes one and hands one to a colleague
// who has no account yet: the colleague registers from the mail's link,
// accepts the seat and opens a lesson.
const COLLEAGUE = { name: 'Journey Colleague', email: `colleague${process.pid}@example.org`, password: 'another horse battery staple' };
async function teamBuysSeats(browser, page) {
  await page.goto(`${base}/account/teams`);
  await page.fill('#team-name', 'Lighthouse Keepers');
  await press(page, 'Create the team');
  like(await text(page, 'h1'), /Lighthouse Keepers/, 'the student creates a team');
  await page.goto(`${base}/payment/cart`);
  await page.selectOption('#buy-for-select', { label: 'Lighthouse Keepers' });
  await press(page, 'Choose');
  like(await text(page, '#for-team'), /Buying seats for the team Lighthouse Keepers/, 'the cart is now for the team');
  const seats = page.locator('input[name=seats]').first();
  await seats.fill('3');
  await Promise.all([page.waitForNavigation(), page.locator('form.seats-form button').first().click()]);
  like(await text(page, 'table.cart'), /\$49\.00 × 3 =\s*\$147\.00/, 'three seats of C Programming Fundamentals: $49.00 × 3');
  is(await text(page, '#total'), '$147.00', 'a total of $147.00');
  await shot(page, 'cart-for-team');
  await checkout(page, '4242 4242 4242 4242');
  like(await main(page), /Payment received/, 'the manager pays');
  let res = await page.goto(`${base}/learn/c-programming-fundamentals/2`);
  is(res.status(), 403, 'buying seats gives the buyer no seat by itself');
  await page.goto(`${base}/account/teams`);
  await Promise.all([page.waitForNavigation(), page.click('main a:has-text("Lighthouse Keepers")')]);
  await Promise.all([page.waitForNavigation(), page.click('main a:has-text("Seats")')]);
  const course = page.locator('section.seat-course', { hasText: 'C Programming Fundamentals' });
  is(await course.locator('dd.seats').innerText(), '3', 'the seats page shows 3 bought');
  is(await course.locator('dd.free').innerText(), '3', 'all 3 free');
  await course.locator('select[name=member]').selectOption({ label: `${STUDENT.name} (${STUDENT.email})` });
  await Promise.all([page.waitForNavigation(), course.locator('button:has-text("Give a seat")').click()]);
  is(await page.locator('section.seat-course dd.active').first().innerText(), '1', 'the manager gives one to themselves');
  res = await page.goto(`${base}/learn/c-programming-fundamentals/2`);
  is(res.status(), 200, 'and opens its lessons');
  await page.goBack();
  await page.fill('section.seat-course input[name=email]', COLLEAGUE.email);
  await Promise.all([page.waitForNavigation(), page.click('section.seat-course button:has-text("Give a seat")')]);
  is(await page.locator('section.seat-course dd.invited').first().innerText(), '1', 'and invites a colleague by address');
  await shot(page, 'team-seats');
  const link = await mailLink(/(https?:\/\/\S*\/account\/seats\/accept\?token=[0-9a-f]+)/);
  ok(link !== null, 'the colleague gets the invitation mail');
  const ctx = await browser.newContext({ viewport: WIDE });
  const colleague = await ctx.newPage();
  colleague.setDefaultTimeout(15000);
  await colleague.goto(link);
  like(colleague.url(), /\/account\/login\?next=/, 'the link asks a stranger to log in first');
  await Promise.all([colleague.waitForNavigation(), colleague.click('main a:has-text("Create an account")')]);
  await colleague.fill('#name', COLLEAGUE.name);
  await colleague.fill('#email', COLLEAGUE.email);
  await colleague.fill('#password', COLLEAGUE.password);
  await Promise.all([colleague.waitForNavigation(), colleague.click('main button[type=submit]')]);
  like(await main(colleague), /C Programming Fundamentals/, 'after registering, the colleague is back at the seat');
  await shot(colleague, 'seat-accept');
  await press(colleague, 'Accept the seat');
  res = await colleague.goto(`${base}/learn/c-programming-fundamentals/2`);
  is(res.status(), 200, 'accepts it and opens a lesson');
  await shot(colleague, 'colleague-lesson');
  await page.reload();
  is(await page.locator('section.seat-course dd.active').first().innerText(), '2', 'the manager sees two seats assigned');
  is(await page.locator('section.seat-course dd.free').first().innerText(), '1', 'and one free');
  await ctx.close();
}

// Another student enrolls in a cohort of a live course, pays, books the
// steps offered at two times in the booking wizard (the others were booked
// for them), sees the sessions on the dashboard and subscribes to the
// calendar feed.
const COHORT_STUDENT = { name: 'Cohort Student', email: `cohort${process.pid}@example.org`, password: 'a third horse battery staple' };
async function cohortBooking(browser) {
  const ctx = await browser.newContext({ viewport: WIDE });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  await page.goto(`${base}/account/register`);
  await page.fill('#name', COHORT_STUDENT.name);
  await page.fill('#email', COHORT_STUDENT.email);
  await page.fill('#password', COHORT_STUDENT.password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  await page.goto(`${base}/courses/systems-design-cohort`);
  like(await text(page, '#cohorts'), /Spring cohort/, 'the live course lists its open cohort');
  await shot(page, 'cohort-course');
  await press(page, 'Enroll in Spring cohort');
  like(await text(page, 'table.cart'), /Cohort: Spring cohort/, 'the cart line names the cohort');
  await checkout(page, '4242 4242 4242 4242');
  like(await main(page), /Payment received/, 'the student pays');
  await Promise.all([page.waitForNavigation(), page.click('main a:has-text("Book your sessions")')]);
  like(await text(page, 'h1'), /Book your sessions/, 'the receipt leads to the booking wizard');
  const selects = page.locator('select[name=option]');
  is(await selects.count(), 2, 'two steps are offered at two times');
  is(await page.locator('p.booked').count(), 2, 'the two single-session steps are booked already');
  for (let i = 0; i < 2; i++) {
    const values = await selects.nth(i).locator('option').evaluateAll((os) => os.map((o) => o.value));
    await selects.nth(i).selectOption(values.filter((v) => v !== 'later')[1]);
  }
  await shot(page, 'booking-wizard');
  await press(page, 'Save my bookings');
  like(await main(page), /Your sessions are booked/, 'the student books them');
  is(await page.locator('p.booked').count(), 4, 'every step is booked');
  await page.goto(`${base}/account/dashboard`);
  is(await page.locator('section.cohort-sessions ul.sessions li').count(), 4, 'the dashboard lists the four sessions');
  await shot(page, 'dashboard-sessions');
  await Promise.all([page.waitForNavigation(), page.click('section.cohort-sessions a:has-text("Your schedule")')]);
  is(await page.locator('#schedule li.booked').count(), 4, 'the course\'s page shows the cohort\'s schedule');
  await Promise.all([page.waitForNavigation(), page.click('#schedule a:has-text("Change your bookings")')]);
  await press(page, 'Make my calendar link');
  const feed = await page.locator('#feed-url').inputValue();
  like(feed, /\/account\/calendar\/[0-9a-f]{64}\/sessions\.ics$/, 'the student makes a private calendar link');
  const ics = await (await ctx.request.get(feed, { headers: { cookie: '' } })).text();
  is((ics.match(/BEGIN:VEVENT/g) || []).length, 4, 'which a calendar application reads: four sessions');
  await shot(page, 'calendar-link');
  await ctx.close();
}

(async () => {
  fs.mkdirSync(outdir, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  const ctx = await browser.newContext({ viewport: WIDE });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  const steps = [
    ['register', () => register(page)],
    ['search', () => guestSearchesAndPreviews(browser)],
    ['buy', () => buyTwoWithCoupon(page)],
    ['learn', () => completeCourse(page, browser)],
    ['admin-store', () => adminStore(browser, page)],
    ['decline', () => declinedCard(page)],
    ['forgot', () => forgotPassword(page)],
    ['admin-money', () => adminRefundsOneCourse(browser, page)],
    ['team', () => teamBuysSeats(browser, page)],
    ['cohort', () => cohortBooking(browser)],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (e) {
      ok(false, `step ${name} ran to its end`, `${e.stack}\nat ${page.url()}`);
      await page.screenshot({ path: path.join(outdir, `failed-${name}.png`), fullPage: true }).catch(() => {});
      break;
    }
  }
  await browser.close();
  console.log(`1..${count}`);
  console.log(`# screenshots: ${outdir}`);
  process.exit(failed ? 1 : 0);
})();
