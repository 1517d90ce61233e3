// The browser journey: a new student, in Debian's Chromium driven by
// playwright-core, against a stack t/journey.t started (nginx, the
// programs, the Stripe emulator).  Each step does what a person does
// (fills the forms, presses the buttons, follows the links) and asserts
// what the page shows; every page is photographed at 1280 and 390 px wide
// into OUTDIR, and at 390 px no page may scroll sideways.  Prints TAP.
// Usage: node journey.js BASE_URL OUTDIR COUPON MAIL_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [base, outdir, coupon, maildir] = process.argv.slice(2);
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
    ['decline', () => declinedCard(page)],
    ['forgot', () => forgotPassword(page)],
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
