// End-to-end run of the app against the real system behind its API URL (see README.md).
//   APP_URL=http://localhost:3000 node e2e/app.e2e.mjs
// Prints one closing line "N passed, N failed[, N skipped]" and exits non-zero on any failure.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { launchChromium } from "./chromium.mjs";

const APP_URL = (process.env.APP_URL ?? "http://localhost:3000").replace(/\/$/, "");
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "screenshots");
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 15_000);

const runId = Date.now();
const password = "correct horse battery";
const alice = { name: "Alice E2E", email: `alice-${runId}@example.com` };
const bob = { name: "Bob E2E", email: `bob-${runId}@example.com` };
const title = `Ship the release ${runId}`;
const editedTitle = `${title} (edited)`;

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

async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, caret: "initial", animations: "disabled" });
}

async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`  page error: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && console.log(`  console: ${message.text()}`));
  return { context, page };
}

async function signUp(page, user) {
  await page.goto(`${APP_URL}/signup`);
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await waitForPath(page, "/tasks");
}

async function signIn(page, user) {
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const taskItem = (page, text) => page.getByRole("listitem").filter({ hasText: text });

async function createTask(page, { title: taskTitle, priority, due }) {
  const form = page.getByRole("form", { name: "Add task" });
  await form.getByLabel("Title").fill(taskTitle);
  await form.getByLabel("Priority").selectOption(priority);
  await form.getByLabel("Due date").fill(due);
  await form.getByRole("button", { name: "Add task" }).click();
  await taskItem(page, taskTitle).waitFor();
}

const steps = [];
const step = (name, run) => steps.push({ name, run });

const state = {};

step("a signed-out visit to /tasks lands on /login", async () => {
  const { page } = (state.alice = await newPage(state.browser));
  await page.goto(`${APP_URL}/`);
  await screenshot(page, "landing");
  await page.goto(`${APP_URL}/tasks`);
  await waitForPath(page, "/login");
  check(new URL(page.url()).searchParams.get("redirect") === "/tasks", `expected ?redirect=/tasks, got ${page.url()}`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await screenshot(page, "login");
});

step("sign up lands on /tasks with an empty list", async () => {
  const { page } = state.alice;
  await page.goto(`${APP_URL}/signup`);
  await screenshot(page, "signup");
  await signUp(page, alice);
  await page.getByText("No tasks yet").waitFor();
});

step("create a high-priority task with a due date", async () => {
  const { page } = state.alice;
  await createTask(page, { title, priority: "high", due: dayFromToday(3) });
  const item = taskItem(page, title);
  await item.getByText("High priority").waitFor();
  await item.getByText(/^Due /).waitFor();
});

step("an overdue task is flagged, and can be deleted", async () => {
  const { page } = state.alice;
  const overdueTitle = `Pay the invoice ${runId}`;
  await createTask(page, { title: overdueTitle, priority: "low", due: dayFromToday(-2) });
  const item = taskItem(page, overdueTitle);
  await item.getByText(/^Overdue/).waitFor();
  await item.getByRole("button", { name: /^Delete/ }).click();
  await item.getByRole("button", { name: "Delete task" }).click();
  await item.waitFor({ state: "detached" });
});

step("toggle the task done", async () => {
  const { page } = state.alice;
  await taskItem(page, title).getByRole("checkbox").click();
  await page.getByRole("checkbox", { name: `Mark “${title}” as not done` }).waitFor();
  await taskItem(page, title).getByText("Done", { exact: true }).waitFor();
});

step("edit the task", async () => {
  const { page } = state.alice;
  await taskItem(page, title).getByRole("button", { name: /^Edit/ }).click();
  const form = page.getByRole("form", { name: "Save changes" });
  await form.getByLabel("Title").fill(editedTitle);
  await form.getByRole("button", { name: "Save changes" }).click();
  await form.waitFor({ state: "detached" });
  await taskItem(page, editedTitle).waitFor();
});

step("after a reload the task is kept, done, high priority", async () => {
  const { page } = state.alice;
  await page.reload();
  const item = taskItem(page, editedTitle);
  await item.waitFor();
  check(await item.getByRole("checkbox").isChecked(), "the task should still be done");
  await item.getByText("High priority").waitFor();
  check((await page.getByRole("listitem").count()) === 1, "expected exactly one task");
  await screenshot(page, "tasks");
});

step("the dashboard counts the task", async () => {
  const { page } = state.alice;
  await page.getByRole("link", { name: "Dashboard" }).click();
  await waitForPath(page, "/dashboard");
  await page.getByText("100% complete").waitFor();
  await screenshot(page, "dashboard");
});

step("sign out from settings, then /tasks redirects to /login", async () => {
  const { page } = state.alice;
  await page.getByRole("link", { name: "Settings" }).click();
  await waitForPath(page, "/settings");
  await page.getByText(alice.email).first().waitFor();
  await screenshot(page, "settings");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await waitForPath(page, "/login");
  await page.goto(`${APP_URL}/tasks`);
  await waitForPath(page, "/login");
});

step("sign in again and the task is there", async () => {
  const { page } = state.alice;
  await signIn(page, alice);
  await waitForPath(page, "/tasks");
  await taskItem(page, editedTitle).waitFor();
});

step("a second user never sees the first user's task", async () => {
  const { page } = (state.bob = await newPage(state.browser));
  await signUp(page, bob);
  await page.getByText("No tasks yet").waitFor();
  check((await page.getByText(editedTitle).count()) === 0, "the second user can see the first user's task");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "tasks-empty-phone");
});

step("sign out everywhere ends the user's other sessions too", async () => {
  const { page } = state.bob;
  const other = (state.bobElsewhere = await newPage(state.browser));
  await other.page.goto(`${APP_URL}/login`);
  await signIn(other.page, bob);
  await waitForPath(other.page, "/tasks");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await waitForPath(page, "/login");
  await other.page.goto(`${APP_URL}/tasks`);
  await waitForPath(other.page, "/login");
});

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
      const page = (state.bob ?? state.alice)?.page;
      if (page) await screenshot(page, "failure").catch(() => {});
    }
  }
  await state.browser.close();
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
