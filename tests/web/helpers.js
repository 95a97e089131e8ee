// What the browser tests share: signing in, axe, screenshots for docs/, the host's command line.
const { expect } = require("@playwright/test");
const AxeBuilder = require("@axe-core/playwright").default;
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const url = (p) => `${process.env.EHR_WEB_URL}${p}`;

async function signIn(page, user) {
  const portal = user.startsWith("portal:");
  await page.goto(url(portal ? "/portal/login" : "/login"));
  await page.getByLabel("User name").fill(portal ? user.slice(7) : user);
  await page.getByLabel("Password").fill(process.env.EHR_WEB_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("summary .initials")).toBeVisible();
}

// The help text's "click on your initials and choose ...".
async function menu(page, item) {
  await page.locator("summary").filter({ has: page.locator(".initials") }).click();
  await page.getByRole(item === "Sign out" ? "button" : "link", { name: item, exact: true }).click();
}

async function signOut(page) {
  await menu(page, "Sign out");
}

// No WCAG 2.1 A or AA violation on the page as it is now.
async function expectAccessible(page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

// The pictures in docs/admins.md and docs/portal.md, refreshed with EHR_SCREENSHOTS=1.
async function picture(page, name) {
  if (!process.env.EHR_SCREENSHOTS) return;
  await page.screenshot({ path: path.resolve(__dirname, "../../docs/images", `${name}.png`), fullPage: true });
}

// The same host's command line, on the server's data directory.
function host(...args) {
  return execFileSync(process.env.EHR_HOST_BINARY, ["--json", ...args], {
    env: { ...process.env, EHR_HOST_DATA: process.env.EHR_WEB_DATA },
  }).toString();
}

// Signs in through the JSON API; answers the CSRF token for the API's state-changing calls.
async function apiSignIn(request, user) {
  const portal = user.startsWith("portal:");
  const response = await request.post(url(portal ? "/api/v1/portal/login" : "/api/v1/login"), {
    data: { user: portal ? user.slice(7) : user, password: process.env.EHR_WEB_PASSWORD },
  });
  expect(response.status()).toBe(200);
  return (await response.json()).csrf;
}

// What the help text's walk (01-walk.spec.js) sets up, so that each file also runs alone:
// My Messages on at Eastwood Pediatrics with Selected users, and the role for three more users.
async function enableEast(playwright) {
  const admin = await playwright.request.newContext();
  const csrf = await apiSignIn(admin, "admin");
  const headers = { "X-CSRF-Token": csrf };
  const saved = await admin.post(url("/api/v1/settings/locations/east"), {
    headers, data: { action: "save", my_messages: "on", audience: "selected_users" } });
  expect(saved.status()).toBe(200);
  const assigned = await admin.post(url("/api/v1/roles"), {
    headers, data: { role: "available_for_portal_messages", action: "assign_selected", users: ["drkim", "nurse2", "nurse3"] } });
  expect(assigned.status()).toBe(200);
  await admin.dispose();
}

module.exports = { enableEast, url, signIn, signOut, menu, expectAccessible, picture, host, apiSignIn };
