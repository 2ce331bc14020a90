// End-to-end run of the app against the real system behind its API URL (see README.md).
//   APP_URL=http://localhost:3000 node e2e/app.e2e.mjs
// Prints one line per step, the axe-core summary, and a closing "N passed, N failed[, N skipped]"; exits
// non-zero on any failure. Every page and state it visits is checked with axe-core in both themes.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { launchChromium } from "./chromium.mjs";

const APP_URL = (process.env.APP_URL ?? "http://localhost:3000").replace(/\/$/, "");
const API_URL = (process.env.API_URL ?? "http://localhost:8000").replace(/\/$/, "");
const MAILDEV_URL = (process.env.MAILDEV_URL ?? "http://localhost:1080").replace(/\/$/, "");
const RESULTS_FILE = process.env.RESULTS_FILE;
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "screenshots");
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 15_000);
const AXE_SOURCE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const runId = Date.now();
const password = "correct horse battery";
const alice = { name: "Alice E2E", email: `alice-${runId}@example.com` };
const bob = { name: "Bob E2E", email: `bob-${runId}@example.com` };
const carol = { name: "Carol E2E", email: `carol-${runId}@example.com` };
const carolNewPassword = "a brand new passphrase";
const carolResetPassword = "yet another long passphrase";
const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const release = `Ship the release ${runId}`;
const invoice = `Pay the invoice ${runId}`;
const call = `Call the bank ${runId}`;

/** `YYYY-MM-DD`, `days` from today in local time, as an `<input type="date">` wants it. */
function dayFromToday(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function waitForPath(page, path) {
  await page.waitForURL((url) => url.pathname === path, { timeout: TIMEOUT_MS });
}

async function screenshot(page, name, { fullPage = false } = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), caret: "initial", animations: "disabled", fullPage });
}

/** Screenshots of the page as it is, in both themes, at the current viewport. */
async function screenshots(page, name, options) {
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await screenshot(page, `${name}-${scheme}`, options);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** The same page at phone width, then back at desktop width. */
async function phoneScreenshot(page, name, options) {
  await page.setViewportSize(PHONE);
  await screenshot(page, name, options);
  await page.setViewportSize(DESKTOP);
}

// --- MailDev: the emails the auth service sent, through its JSON API ------------------------------------

async function emailsTo(address) {
  const response = await fetch(`${MAILDEV_URL}/api/email`);
  check(response.ok, `MailDev answered ${response.status}`);
  return (await response.json()).filter((email) => email.to.some((to) => to.address === address));
}

/** Wait until `address` has `count` emails whose subject matches; return the last one's link. */
async function emailedLink(address, subject, count = 1) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const found = (await emailsTo(address)).filter((email) => subject.test(email.subject));
    if (found.length >= count) {
      const link = /https?:\/\/\S+/.exec(found[count - 1].text)?.[0];
      check(link, `no link in the email "${found[count - 1].subject}"`);
      return link;
    }
    check(Date.now() < deadline, `${address} got ${found.length} emails matching ${subject}, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// --- axe-core: every state, both themes; any serious or critical violation fails the step ------------------

const axeLog = [];

async function axe(page, state) {
  // After a client-side navigation Next sets the new page's <title> a moment later: judge the page once it has.
  await page.waitForFunction(() => document.title !== "");
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_SOURCE });
    // Let the theme's transition-free repaint land before colours are measured.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const violations = await page.evaluate(async () => {
      const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
      return violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
    });
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    axeLog.push({ state: `${state} (${scheme})`, violations });
    if (serious.length) {
      const detail = serious.map((v) => `${v.id} [${v.impact}] on ${v.nodes.slice(0, 3).join(", ")}`).join("; ");
      throw new Error(`axe: ${state} (${scheme}): ${detail}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
}

// --- helpers --------------------------------------------------------------------------------------------

async function newPage(browser, viewport = DESKTOP, userAgent = undefined) {
  const context = await browser.newContext({ viewport, reducedMotion: "reduce", userAgent });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`  page error: ${error.message}`));
  page.on("console", (message) => {
    // The failures the run provokes on purpose (a refused toggle, a revoked session) log as failed loads.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      console.log(`  console: ${message.text()}`);
    }
  });
  return { context, page };
}

async function fillSignUp(page, user, userPassword = password) {
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(userPassword);
  await page.getByLabel("Confirm password").fill(userPassword);
  await page.getByRole("button", { name: "Create account" }).click();
}

async function signIn(page, user, userPassword = password) {
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(userPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const taskItem = (page, text) => page.getByRole("list", { name: "Tasks" }).getByRole("listitem").filter({ hasText: text });
const checkbox = (page, title) => taskItem(page, title).getByRole("checkbox");
/** Wait (briefly: an optimistic change shows within a frame or two) for a task's box to be ticked or not. */
async function boxIs(page, title, checked, message) {
  try {
    await checkbox(page, title).and(page.locator(checked ? ":checked" : ":not(:checked)")).waitFor({ timeout: 2000 });
  } catch {
    throw new Error(message);
  }
}
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? "");
const apiCalls = (page, test) => {
  const seen = [];
  const listen = (request) => request.url().includes("/api/") && test(request) && seen.push(`${request.method()} ${request.url()}`);
  page.on("request", listen);
  return { seen, stop: () => page.off("request", listen) };
};

/** Add a task from the quick add with the keyboard only: `n`, type, Tab to the fields, Enter. */
async function quickAdd(page, { title, priority = "medium", due = "" }) {
  await page.locator("body").click({ position: { x: 1, y: 1 } });
  await page.keyboard.press("n");
  check((await focusedId(page)) === "quick-add-title", "n should focus the quick add");
  await page.keyboard.type(title);
  await page.locator("#quick-add-priority").selectOption(priority);
  if (due) await page.locator("#quick-add-due").fill(due);
  await page.locator("#quick-add-title").press("Enter");
  await taskItem(page, title).waitFor();
}

const steps = [];
const step = (name, run) => steps.push({ name, run });
const state = {};

// --- the run --------------------------------------------------------------------------------------------

step("a signed-out visit to /tasks lands on /login; landing, not-found and login pass axe", async () => {
  const { page } = (state.alice = await newPage(state.browser));
  await page.goto(`${APP_URL}/`);
  await axe(page, "landing");
  await page.goto(`${APP_URL}/no-such-page`);
  await page.getByText("This page does not exist").waitFor();
  await axe(page, "not found");
  await page.goto(`${APP_URL}/tasks`);
  await waitForPath(page, "/login");
  check(new URL(page.url()).searchParams.get("redirect") === "/tasks", `expected ?redirect=/tasks, got ${page.url()}`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await axe(page, "login");
  await screenshot(page, "login-desktop-light");
});

step("sign-up refuses a common password at the field, with a strength meter", async () => {
  const { page } = state.alice;
  await page.goto(`${APP_URL}/signup`);
  await fillSignUp(page, alice, "password1234");
  await page.getByText("This password is too common").waitFor();
  const field = page.getByLabel("Password", { exact: true });
  check((await field.getAttribute("aria-invalid")) === "true", "the password should be marked invalid");
  check((await focusedId(page)) === "password", "focus should move to the password");
  await page.getByText(/Strength: (Very weak|Weak)\./).waitFor();
  await axe(page, "sign-up with a field error");
  await page.setViewportSize(PHONE);
  await screenshot(page, "signup-error-phone-light");
  await page.setViewportSize(DESKTOP);
});

step("sign up lands on /tasks with an empty list", async () => {
  const { page } = state.alice;
  await fillSignUp(page, alice);
  await waitForPath(page, "/tasks");
  await page.getByText("No tasks yet").waitFor();
  await axe(page, "tasks, empty");
});

step("the unverified banner shows until the emailed link is opened", async () => {
  const { page } = state.alice;
  await page.getByText("Please verify your email address").waitFor();
  await page.goto(await emailedLink(alice.email, /Verify your email/));
  await waitForPath(page, "/verify-email");
  await page.getByText("Your email is verified").waitFor();
  await page.goto(`${APP_URL}/tasks`);
  await page.getByText("No tasks yet").waitFor();
  check((await page.getByText("Please verify your email address").count()) === 0, "the banner should be gone");
});

step("quick add from the keyboard: the task shows at once and focus stays for the next", async () => {
  const { page } = state.alice;
  await quickAdd(page, { title: release, priority: "high", due: dayFromToday(3) });
  check((await focusedId(page)) === "quick-add-title", "focus should stay in the quick add");
  check((await page.locator("#quick-add-title").inputValue()) === "", "the quick add should be empty again");
  await quickAdd(page, { title: invoice, priority: "low", due: dayFromToday(-2) });
  await quickAdd(page, { title: call, due: dayFromToday(0) });
  await taskItem(page, release).getByText("High").waitFor();
});

step("dates read relative to today: Today, a weekday or date, Overdue 2 days", async () => {
  const { page } = state.alice;
  await taskItem(page, invoice).getByText("Overdue 2 days").waitFor();
  await taskItem(page, call).getByText("Due: Today").waitFor();
  check(!(await taskItem(page, release).getByText(/Overdue/).count()), "a future task is not overdue");
  await axe(page, "tasks, three tasks");
});

step("views and search live in the URL: a reload keeps them and Back undoes them", async () => {
  const { page } = state.alice;
  await page.getByRole("link", { name: "Overdue" }).click();
  await page.waitForURL((url) => url.searchParams.get("view") === "overdue");
  await taskItem(page, release).waitFor({ state: "detached" });
  await taskItem(page, invoice).waitFor();
  await page.reload();
  await taskItem(page, invoice).waitFor();
  check((await page.getByRole("listitem").filter({ hasText: String(runId) }).count()) === 1, "overdue view after reload");
  await page.goBack();
  await page.waitForURL((url) => !url.searchParams.has("view"));
  await taskItem(page, release).waitFor();

  await page.locator("body").click({ position: { x: 1, y: 1 } });
  await page.keyboard.press("/");
  check((await focusedId(page)) === "task-search", "/ should focus search");
  await page.keyboard.type("invoice");
  await page.waitForURL((url) => url.searchParams.get("q") === "invoice");
  await taskItem(page, release).waitFor({ state: "detached" });
  await page.reload();
  check((await page.locator("#task-search").inputValue()) === "invoice", "the search box should keep the search");
  await taskItem(page, invoice).waitFor();
  check((await taskItem(page, release).count()) === 0, "the search should still filter after a reload");
  await page.goto(`${APP_URL}/tasks`);
  await taskItem(page, release).waitFor();
});

step("a toggle is optimistic and one request", async () => {
  const { page } = state.alice;
  const calls = apiCalls(page, () => true);
  const saved = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().includes("/tasks/"));
  await checkbox(page, release).click();
  await boxIs(page, release, true, "the box should tick at once");
  check((await saved).status() === 200, "the PUT should succeed");
  await page.waitForTimeout(300);
  calls.stop();
  check(calls.seen.length === 1 && calls.seen[0].startsWith("PUT "), `one toggle, one request: ${calls.seen.join(", ")}`);
  await page.reload();
  await taskItem(page, release).waitFor();
  check(await checkbox(page, release).isChecked(), "the toggle should be saved");
});

step("a toggle the API refuses rolls back, with a toast saying why", async () => {
  const { page } = state.alice;
  let release_;
  const held = new Promise((resolve) => (release_ = resolve));
  // Hold the PUT, then send it to a task that does not exist: the real API answers 404.
  await page.route(/\/tasks\/\d+$/, async (route) => {
    if (route.request().method() !== "PUT") return route.continue();
    await held;
    await route.continue({ url: route.request().url().replace(/\/tasks\/\d+$/, "/tasks/999999999") });
  });
  await checkbox(page, call).click();
  await boxIs(page, call, true, "the box should tick before the server answers");
  release_();
  await page.getByText(`“${call}” was not updated`).waitFor();
  await page.getByText("Task not found").waitFor();
  await boxIs(page, call, false, "the refused toggle should roll back");
  await page.unroute(/\/tasks\/\d+$/);
  await axe(page, "tasks, error toast");
});

step("keyboard only: Space toggles and keeps focus, Escape cancels an edit, Enter saves it", async () => {
  const { page } = state.alice;
  await checkbox(page, call).focus();
  await page.keyboard.press("Space");
  await boxIs(page, call, true, "Space should tick the box");
  check((await focusedId(page)).endsWith("-done"), "focus should stay on the checkbox");
  await page.keyboard.press("Space");
  await page.waitForResponse((r) => r.request().method() === "PUT");

  const edit = taskItem(page, release).getByRole("button", { name: /^Edit/ });
  await edit.focus();
  await page.keyboard.press("Enter");
  const form = page.getByRole("form", { name: "Save changes" });
  await form.waitFor();
  check((await page.evaluate(() => document.activeElement?.getAttribute("name"))) === "title", "edit should focus the title");
  await axe(page, "tasks, edit open");
  await page.keyboard.press("Escape");
  await form.waitFor({ state: "detached" });
  check(await edit.evaluate((el) => el === document.activeElement), "Escape should return focus to Edit");

  await page.keyboard.press("Enter");
  await form.waitFor();
  await page.keyboard.press("End");
  await page.keyboard.type(" (edited)");
  await page.keyboard.press("Enter");
  await form.waitFor({ state: "detached" });
  await taskItem(page, `${release} (edited)`).waitFor();
  check(
    await taskItem(page, release).getByRole("button", { name: /^Edit/ }).evaluate((el) => el === document.activeElement),
    "saving should return focus to Edit",
  );

  await page.locator("body").click({ position: { x: 1, y: 1 } });
  await page.keyboard.press("?");
  await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
  await axe(page, "shortcuts dialog");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
});

step("delete takes the task away at once, Undo brings it back, and without Undo it is gone", async () => {
  const { page } = state.alice;
  await taskItem(page, invoice).getByRole("button", { name: /^Delete/ }).click();
  await taskItem(page, invoice).waitFor({ state: "detached" });
  check((await focusedId(page)).endsWith("-done"), "focus should move to a neighbouring task");
  await page.getByRole("button", { name: "Undo" }).click();
  await taskItem(page, invoice).waitFor();
  await page.reload();
  await taskItem(page, invoice).waitFor();

  const sent = page.waitForResponse((r) => r.request().method() === "DELETE", { timeout: 20_000 });
  await taskItem(page, invoice).getByRole("button", { name: /^Delete/ }).click();
  check((await sent).status() === 200, "the DELETE should be sent once the undo window closes");
  await page.reload();
  await taskItem(page, release).waitFor();
  check((await taskItem(page, invoice).count()) === 0, "the deleted task should stay deleted");
  await quickAdd(page, { title: invoice, priority: "low", due: dayFromToday(-2) });
});

step("tasks screenshots: light and dark, desktop and phone", async () => {
  const { page } = state.alice;
  await quickAdd(page, { title: "Book the dentist", priority: "medium", due: dayFromToday(1) });
  await quickAdd(page, { title: "Renew the passport", priority: "high", due: dayFromToday(12) });
  await page.reload();
  await taskItem(page, invoice).waitFor();
  await screenshots(page, "tasks-desktop");
  await page.setViewportSize(PHONE);
  await page.reload();
  await taskItem(page, invoice).waitFor();
  const top = await page.getByRole("list", { name: "Tasks" }).getByRole("listitem").first().boundingBox();
  check(top && top.y + top.height <= PHONE.height, `the first task should be on a phone's first screen (y=${top?.y})`);
  await axe(page, "tasks, phone");
  await screenshots(page, "tasks-phone");
  await page.setViewportSize(DESKTOP);
});

step("the dashboard draws the server's stats, with a table, and its cards link to views", async () => {
  const { page } = state.alice;
  const stats = page.waitForResponse((r) => r.url().includes("/tasks/stats?tz="));
  await page.getByRole("link", { name: "Dashboard" }).click();
  await waitForPath(page, "/dashboard");
  check((await stats).status() === 200, "GET /stats should answer 200");
  const overdue = page.getByRole("link", { name: /^Overdue/ });
  await overdue.getByText("1", { exact: true }).waitFor();
  await page.getByRole("link", { name: /^Due today/ }).getByText("1", { exact: true }).waitFor();
  await page.getByText("20% complete").waitFor();
  await page.locator(".recharts-surface").first().waitFor();
  await page.getByText("Show as a table").click();
  await page.getByRole("table", { name: "Tasks completed per day, last 30 days" }).waitFor();
  await axe(page, "dashboard");
  await page.getByText("Show as a table").click();
  await screenshots(page, "dashboard-desktop");
  await page.setViewportSize(PHONE);
  await axe(page, "dashboard, phone");
  await screenshots(page, "dashboard-phone");
  await page.setViewportSize(DESKTOP);
  await overdue.click();
  await page.waitForURL((url) => url.pathname === "/tasks" && url.searchParams.get("view") === "overdue");
  await taskItem(page, invoice).waitFor();
});

step("the account menu and settings pass axe; sign out everywhere asks first", async () => {
  const { page } = state.alice;
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await page.getByRole("menu").waitFor();
  await axe(page, "account menu");
  await page.getByRole("menuitem", { name: "Settings" }).click();
  await waitForPath(page, "/settings");
  await page.getByText(alice.email).first().waitFor();
  await axe(page, "settings");
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("alertdialog", { name: "Sign out of every device?" }).waitFor();
  await axe(page, "sign out everywhere, confirm");
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("alertdialog").waitFor({ state: "detached" });
  await page.goto(`${APP_URL}/tasks`);
  await taskItem(page, invoice).waitFor();
});

step("a session ended on another device says so, and the task being typed survives sign-in", async () => {
  const { page } = state.alice;
  const other = (state.aliceElsewhere = await newPage(state.browser));
  await other.page.goto(`${APP_URL}/login`);
  await signIn(other.page, alice);
  await waitForPath(other.page, "/tasks");
  await other.page.goto(`${APP_URL}/settings`);
  await other.page.getByRole("button", { name: "Sign out everywhere" }).click();
  await other.page.getByRole("alertdialog").getByRole("button", { name: "Sign out everywhere" }).click();
  await waitForPath(other.page, "/login");

  const draft = `Written after the sign-out ${runId}`;
  await page.locator("#quick-add-title").fill(draft);
  await page.locator("#quick-add-title").press("Enter");
  await waitForPath(page, "/login");
  check(new URL(page.url()).searchParams.get("reason") === "elsewhere", `expected ?reason=elsewhere, got ${page.url()}`);
  await page.getByRole("status").getByText("You were signed out on another device").waitFor();
  await axe(page, "login, session ended");
  await signIn(page, alice);
  await waitForPath(page, "/tasks");
  await page.waitForFunction((text) => document.querySelector("#quick-add-title")?.value === text, draft);
  check((await taskItem(page, draft).count()) === 0, "the refused task must not look saved");
});

step("a second user never sees the first user's tasks; a taken email offers Sign in instead", async () => {
  const { page } = (state.bob = await newPage(state.browser, PHONE));
  await page.goto(`${APP_URL}/signup`);
  await fillSignUp(page, { ...bob, email: alice.email });
  await page.getByText("An account with this email already exists.").waitFor();
  await page.getByRole("link", { name: "Sign in instead" }).waitFor();
  await axe(page, "sign-up, email taken");
  await fillSignUp(page, bob);
  await waitForPath(page, "/tasks");
  await page.getByText("No tasks yet").waitFor();
  check((await page.getByText(invoice).count()) === 0, "the second user can see the first user's tasks");
  await page.goto(`${APP_URL}/dashboard`);
  await page.getByText("Nothing to count yet").waitFor();
  await axe(page, "dashboard, empty");
});

step("signing out from the account menu ends the session; /tasks goes back to /login", async () => {
  const { page } = state.bob;
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await waitForPath(page, "/login");
  check(!new URL(page.url()).searchParams.has("reason"), "signing out here needs no explanation");
  await page.goto(`${APP_URL}/tasks`);
  await waitForPath(page, "/login");
});

// --- the account lifecycle: verify, rename, change and reset the password, devices, deletion ---------------

const device = (page, label) =>
  page.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem").filter({ hasText: label });

step("sign-up emails a verification link; the banner's Resend sends another", async () => {
  const { page } = (state.carol = await newPage(state.browser));
  await page.goto(`${APP_URL}/signup`);
  await fillSignUp(page, carol);
  await waitForPath(page, "/tasks");
  const banner = page.getByRole("region", { name: "Please verify your email address" });
  await banner.waitFor();
  await quickAdd(page, { title: `Carol's first task ${runId}` });
  await quickAdd(page, { title: `Carol's second task ${runId}` });
  await emailedLink(carol.email, /Verify your email/);
  await banner.getByRole("button", { name: "Resend" }).click();
  await banner.getByRole("status").getByText(`We sent a new link to ${carol.email}`).waitFor();
  await axe(page, "tasks, unverified banner after Resend");
  await page.setViewportSize(PHONE);
  await screenshot(page, "verify-banner-phone-light");
  await page.setViewportSize(DESKTOP);
});

step("the emailed verification link lands on /verify-email; a bad link says why", async () => {
  const { page } = state.carol;
  await page.goto(await emailedLink(carol.email, /Verify your email/, 2));
  await waitForPath(page, "/verify-email");
  await page.getByText("Your email is verified").waitFor();
  await axe(page, "verify-email, verified");
  await screenshot(page, "verify-email-desktop-light");

  // A link that is not ours, opened signed out: the API sends the browser on with ?error=.
  const stranger = await newPage(state.browser, PHONE);
  const bogus = `${API_URL}/api/auth/verify-email?token=not-a-token&callbackURL=${encodeURIComponent(`${APP_URL}/verify-email`)}`;
  await stranger.page.goto(bogus);
  await stranger.page.waitForURL((url) => url.pathname === "/verify-email" && url.searchParams.get("error") === "INVALID_TOKEN");
  await stranger.page.getByText("We could not verify your email").waitFor();
  await stranger.page.getByRole("link", { name: "Sign in" }).waitFor();
  await axe(stranger.page, "verify-email, invalid link");
  await screenshot(stranger.page, "verify-email-invalid-phone-light");
  await stranger.context.close();

  await page.goto(`${APP_URL}/tasks`);
  await taskItem(page, `Carol's first task ${runId}`).waitFor();
  check((await page.getByText("Please verify your email address").count()) === 0, "the banner should be gone");
});

step("Settings: the name is edited in place and kept", async () => {
  const { page } = state.carol;
  await page.goto(`${APP_URL}/settings`);
  const name = page.getByLabel("Name");
  await name.fill("Carol Renamed");
  await page.getByRole("button", { name: "Save name" }).click();
  await page.getByRole("status").getByText("Saved.").waitFor();
  await page.reload();
  await page.getByRole("button", { name: "Save name" }).waitFor();
  check((await page.getByLabel("Name").inputValue()) === "Carol Renamed", "the new name should be kept");
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await page.getByRole("menu").getByText("Carol Renamed").waitFor();
  await page.keyboard.press("Escape");
});

step("a password change with “Sign out other devices” signs the phone out; the old password stops working", async () => {
  const { page } = state.carol;
  const phone = (state.carolPhone = await newPage(state.browser, PHONE, IPHONE_UA));
  await phone.page.goto(`${APP_URL}/login`);
  await signIn(phone.page, carol);
  await waitForPath(phone.page, "/tasks");

  await page.reload();
  await device(page, "Safari 17 on iOS").waitFor();
  await device(page, "This device").waitFor();
  await axe(page, "settings, two devices");
  await screenshots(page, "settings-desktop", { fullPage: true });
  await phone.page.goto(`${APP_URL}/settings`);
  await device(phone.page, "This device").getByText("Safari 17 on iOS").waitFor();
  await screenshot(phone.page, "settings-phone-light", { fullPage: true });
  await phone.page.goto(`${APP_URL}/tasks`);
  await taskItem(phone.page, `Carol's first task ${runId}`).waitFor();

  // Field errors first: a wrong current password lands on its field.
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill(carolNewPassword);
  await page.getByLabel("Confirm new password").fill(carolNewPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByText("That is not your current password.").waitFor();
  check((await page.getByLabel("Current password").getAttribute("aria-invalid")) === "true", "marked invalid");
  check((await focusedId(page)) === "current-password", "focus should move to the current password");
  await axe(page, "settings, wrong current password");

  await page.getByLabel("Current password").fill(password);
  check(await page.getByLabel("Sign out other devices").isChecked(), "signing out the others is the default");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByText("Your password is changed, and your other devices are signed out.").waitFor();

  // The phone notices on its next request, and says why it signed out.
  await phone.page.getByRole("link", { name: "Dashboard" }).click();
  await waitForPath(phone.page, "/login");
  check(new URL(phone.page.url()).searchParams.get("reason") === "elsewhere", `expected ?reason=elsewhere, got ${phone.page.url()}`);
  await signIn(phone.page, carol);
  await phone.page.getByText("That email and password do not match an account").waitFor();
  await signIn(phone.page, carol, carolNewPassword);
  await waitForPath(phone.page, "/dashboard");
});

step("the device list signs the other device out by itself; this device stays", async () => {
  const { page } = state.carol;
  const phone = state.carolPhone;
  await page.reload();
  const other = device(page, "Safari 17 on iOS");
  await other.waitFor();
  await other.getByRole("button", { name: "Sign out Safari 17 on iOS" }).click();
  await page.getByText("Safari 17 on iOS is signed out.").waitFor();
  await other.waitFor({ state: "detached" });
  await device(page, "This device").waitFor();
  check(await page.getByRole("button", { name: "Sign out other devices" }).isDisabled(), "no other device is left");

  // The phone's next request (adding a task) finds its session gone.
  await phone.page.getByRole("link", { name: "Tasks" }).click();
  await phone.page.locator("#quick-add-title").fill(`Written on the phone ${runId}`);
  await phone.page.locator("#quick-add-title").press("Enter");
  await waitForPath(phone.page, "/login");
  await phone.page.getByRole("status").getByText("You were signed out on another device").waitFor();
  await phone.context.close();
});

step("signed out, “Forgot password?” answers the same for any address and emails a reset link", async () => {
  const { page } = state.carol;
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await waitForPath(page, "/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await waitForPath(page, "/forgot-password");
  await axe(page, "forgot password");
  await screenshot(page, "forgot-password-desktop-light");

  const unknown = `nobody-${runId}@example.com`;
  await page.getByLabel("Email").fill(unknown);
  await page.getByRole("button", { name: "Email me a reset link" }).click();
  const answer = page.getByRole("status");
  await answer.waitFor();
  const unknownText = (await answer.textContent()).replace(unknown, "ADDRESS");
  await page.getByRole("button", { name: "Send another link" }).click();
  await page.getByLabel("Email").fill(carol.email);
  await page.getByRole("button", { name: "Email me a reset link" }).click();
  await answer.waitFor();
  check((await answer.textContent()).replace(carol.email, "ADDRESS") === unknownText, "the answer must not tell who has an account");
  await axe(page, "forgot password, sent");
  await phoneScreenshot(page, "forgot-password-sent-phone-light");
  check((await emailsTo(unknown)).length === 0, "nothing is sent to an unknown address");
});

step("the emailed reset link sets a new password once; used again it says so", async () => {
  const { page } = state.carol;
  const link = await emailedLink(carol.email, /Reset your password/);
  await page.goto(link);
  await page.waitForURL((url) => url.pathname === "/reset-password" && url.searchParams.has("token"));
  await page.getByLabel("New password", { exact: true }).fill(carolResetPassword);
  await page.getByText(/Strength: /).waitFor();
  await axe(page, "reset password");
  await screenshot(page, "reset-password-desktop-light");
  await page.getByLabel("Confirm new password").fill(carolResetPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.getByText("Your password is changed").waitFor();
  await axe(page, "reset password, done");

  await page.goto(link);
  await page.waitForURL((url) => url.pathname === "/reset-password" && url.searchParams.get("error") === "INVALID_TOKEN");
  await page.getByText("This reset link cannot be used").waitFor();
  await page.getByRole("link", { name: "Request a new link" }).waitFor();
  await axe(page, "reset password, used link");
  await phoneScreenshot(page, "reset-password-invalid-phone-light");
});

step("sign in with the reset password; delete the account behind its password; the account is gone", async () => {
  const { page } = state.carol;
  await page.goto(`${APP_URL}/login`);
  await signIn(page, carol, carolResetPassword);
  await waitForPath(page, "/tasks");
  await taskItem(page, `Carol's second task ${runId}`).waitFor();
  const session = await page.context().request.get(`${API_URL}/api/auth/get-session`);
  const userId = (await session.json()).user.id;

  await page.goto(`${APP_URL}/settings`);
  const trigger = page.getByRole("button", { name: "Delete account" });
  await trigger.click();
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  await dialog.waitFor();
  check((await focusedId(page)) === "delete-password", "the dialog should focus its password field");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  check(await trigger.evaluate((el) => el === document.activeElement), "Escape should return focus to the button");

  await trigger.click();
  await dialog.getByLabel("Password", { exact: true }).fill("not my password");
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await dialog.getByText("That is not your password.").waitFor();
  check((await focusedId(page)) === "delete-password", "focus should return to the password");
  await axe(page, "delete account dialog, wrong password");
  await dialog.getByLabel("Password", { exact: true }).fill(carolResetPassword);
  await screenshot(page, "delete-account-desktop-light");
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await waitForPath(page, "/account-deleted");
  await page.getByText("Your account is deleted").waitFor();
  await axe(page, "account deleted");
  await phoneScreenshot(page, "account-deleted-phone-light");
  if (RESULTS_FILE) writeFileSync(RESULTS_FILE, JSON.stringify({ deletedUserId: userId }));

  await page.goto(`${APP_URL}/tasks`);
  await waitForPath(page, "/login");
  await signIn(page, carol, carolResetPassword);
  await page.getByText("That email and password do not match an account").waitFor();
});

function axeSummary() {
  const states = axeLog.length;
  const counts = new Map();
  for (const { violations } of axeLog) {
    for (const v of violations) counts.set(`${v.id} [${v.impact}]`, (counts.get(`${v.id} [${v.impact}]`) ?? 0) + 1);
  }
  const rest = [...counts].map(([rule, n]) => `${rule} in ${n}`).join(", ") || "none";
  return `axe-core: ${states / 2} page states, each in light and dark (${states} runs), other violations: ${rest}`;
}

async function main() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    state.browser = await launchChromium();
  } catch (error) {
    console.log(`cannot launch Chromium: ${error.message}`);
    console.log(`0 passed, 1 failed`);
    process.exit(1);
  }
  for (const { name, run } of steps) {
    if (failed > 0) {
      skipped += 1;
      console.log(`SKIP ${name}`);
      continue;
    }
    const started = Date.now();
    try {
      await run();
      passed += 1;
      console.log(`PASS ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${name}: ${error.message.split("\n")[0]}`);
      for (const [who, { page }] of Object.entries(state).filter(([, value]) => value?.page)) {
        await screenshot(page, `failure-${who}`).catch(() => {});
      }
    }
  }
  await state.browser.close();
  console.log(axeSummary());
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
