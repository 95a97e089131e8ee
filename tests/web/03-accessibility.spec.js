// Every page of the console and the portal passes axe's WCAG 2.1 A and AA rules.
const { test } = require("@playwright/test");
const { url, signIn, expectAccessible, apiSignIn, enableEast } = require("./helpers");

test.beforeAll(async ({ playwright }) => enableEast(playwright));
// Each test scans a dozen pages with axe, a few seconds each when the 2-core machine is busy (a
// fresh machine's first run timed out at the suite's 60 s with all else correct).
test.describe.configure({ timeout: 240_000 });

test("every staff page has no WCAG 2.1 A/AA violation", async ({ page, request }) => {
  const staff = await apiSignIn(request, "nurse2");
  const sent = await request.post(url("/api/v1/messages/new"), {
    headers: { "X-CSRF-Token": staff },
    data: { patient: "p15", subject: "Accessibility check", body: "A thread to look at." },
  });
  const { thread } = await sent.json();

  await page.goto(url("/login"));
  await expectAccessible(page);
  await signIn(page, "admin");
  for (const path of ["/settings", "/settings/locations/east", "/settings/locations/north", "/users", "/users/drkim",
    "/roles", "/plugins", "/audit", "/messages", "/messages?archived=1", "/messages/new", "/messages/new?patient=p15"]) {
    await page.goto(url(path));
    await expectAccessible(page);
  }
  await signIn(page, "nurse2");
  await page.goto(url(`/messages/${thread}`));
  await expectAccessible(page);
  await page.goto(url("/messages/999999"));
  await expectAccessible(page);
});

test("every portal page has no WCAG 2.1 A/AA violation", async ({ page }) => {
  await page.goto(url("/portal/login"));
  await expectAccessible(page);
  await signIn(page, "portal:rachel");
  for (const path of ["/portal", "/portal?archived=1", "/portal/compose", "/portal/compose?patient=p15"]) {
    await page.goto(url(path));
    await expectAccessible(page);
  }
  await page.goto(url("/portal"));
  await page.locator(".threads a").first().click();
  await expectAccessible(page);
});
