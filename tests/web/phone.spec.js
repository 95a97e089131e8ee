// Patients mostly use phones: the portal at 390x844, without sideways scrolling, and accessible.
const { test, expect } = require("@playwright/test");
const { url, signIn, expectAccessible, picture, enableEast } = require("./helpers");

test.beforeAll(async ({ playwright }) => enableEast(playwright));

test("R_WEB_2 the portal works at a phone's size", async ({ page }) => {
  await signIn(page, "portal:rachel");
  for (const path of ["/portal", "/portal/compose?patient=p15"]) {
    await page.goto(url(path));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, path).toBeLessThanOrEqual(390);
    await expectAccessible(page);
  }
  await picture(page, "portal-phone-compose");
  await page.goto(url("/portal?archived=1"));
  await page.locator(".threads a").first().click();
  await expect(page.getByLabel("Reply")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await picture(page, "portal-phone-thread");
});
