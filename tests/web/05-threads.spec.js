// The portal's brand and the people of a thread: a guardian sees which practice writes (the
// plugin's brand rules for the chart's location) and who takes part; a staff participant brings a
// covering colleague in, and a colleague the plugin refuses is named with its reason.
const { test, expect } = require("@playwright/test");
const { url, signIn, signOut, expectAccessible, picture, apiSignIn, enableEast } = require("./helpers");

test.beforeAll(async ({ playwright }) => enableEast(playwright));

// Eastwood Pediatrics' own information on or off (My Messages stays on, Selected users).
async function useLocationInformation(playwright, on) {
  const admin = await playwright.request.newContext();
  const csrf = await apiSignIn(admin, "admin");
  const data = { action: "save", my_messages: "on", audience: "selected_users" };
  if (on) data.use_location_information = "on";
  const saved = await admin.post(url("/api/v1/settings/locations/east"), { headers: { "X-CSRF-Token": csrf }, data });
  expect(saved.status()).toBe(200);
  await admin.dispose();
}

test("R_BRAND_2 the portal names the company until the chart's location uses its own information", async ({ page, playwright }) => {
  await useLocationInformation(playwright, false);
  await signIn(page, "portal:rachel");
  const practice = page.getByRole("complementary", { name: /Contact / });
  await expect(practice.first()).toContainText("Riverbend Health");
  await expect(practice.first()).toContainText("+1 555 0100");
  await expect(page.getByText("Eastwood Pediatrics")).toHaveCount(0);

  await useLocationInformation(playwright, true);
  try {
    await page.goto(url("/portal/compose?patient=p15"));
    const east = page.getByRole("complementary", { name: "Contact Eastwood Pediatrics" });
    await expect(east).toContainText("+1 555 0130");
    await expect(east).toContainText("7 Orchard Lane, Eastwood, OR 97003");
    await expect(east.getByRole("link", { name: "+1 555 0130" })).toHaveAttribute("href", "tel:+15550130");
    await expectAccessible(page);
    await picture(page, "portal-brand");
  } finally {
    await useLocationInformation(playwright, false);
  }
});

test("R_CONV_6 a staff participant adds a covering colleague, who reads and replies; the guardian sees who takes part", async ({ page }) => {
  await signIn(page, "nurse2");
  await page.getByRole("link", { name: "Messages" }).click();
  await page.getByRole("link", { name: "New message" }).click();
  await page.getByLabel("Patient", { exact: true }).selectOption("p15");
  await page.getByRole("button", { name: "Choose" }).click();
  await page.getByLabel("Subject", { exact: true }).fill("Covering while I am away");
  await page.getByLabel("Message", { exact: true }).fill("Riley will follow up on Mia's results.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Covering while I am away");
  const thread = page.url();

  // A colleague without the messaging role is refused with the plugin's reason, next to the picker.
  await page.getByLabel("Add a colleague to this conversation").selectOption({ label: "Morgan Ellis" });
  await page.getByRole("button", { name: "Add participant" }).click();
  await expect(page.getByRole("alert")).toContainText("Not added:");
  await expect(page.getByRole("alert")).toContainText("does not hold the 'Available for portal messages' role");
  await expect(page.getByLabel("Add a colleague to this conversation")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  await page.getByLabel("Add a colleague to this conversation").selectOption({ label: "Riley Chen, RN" });
  await page.getByRole("button", { name: "Add participant" }).click();
  const taking = page.getByRole("region", { name: "Taking part" });
  await expect(taking).toContainText("Riley Chen, RN");
  await expect(page.getByLabel("Add a colleague to this conversation").locator("option", { hasText: "Riley Chen, RN" })).toHaveCount(0);
  await picture(page, "staff-add-participant");
  await signOut(page);

  await signIn(page, "nurse3");
  await expect(page.locator(".threads li.unread")).toContainText("Covering while I am away");
  await page.goto(thread);
  await expect(page.getByText("Riley will follow up on Mia's results.")).toBeVisible();
  await page.getByLabel("Reply").fill("Results look fine; I will call the family.");
  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(page.getByText("Results look fine; I will call the family.")).toBeVisible();
  await signOut(page);

  await signIn(page, "portal:rachel");
  await page.getByRole("link", { name: /Covering while I am away/ }).click();
  await expect(page.getByRole("region", { name: "Taking part" })).toContainText("Riley Chen, RN");
  await expect(page.getByText("Results look fine; I will call the family.")).toBeVisible();
  await expect(page.getByLabel("Add a colleague to this conversation")).toHaveCount(0);
  await expectAccessible(page);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("R_WEB_2 Assign Roles and the portal's compose work by their buttons alone", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto(url("/roles"));
    await page.getByLabel("Roles").selectOption("available_for_portal_messages");
    await page.getByRole("button", { name: "Show holders" }).click();
    await expect(page.getByLabel("Users").locator("option", { hasText: "Dr. Grace Lee" })).toContainText("has the role");
    await signOut(page);

    await signIn(page, "portal:rachel");
    await page.goto(url("/portal/compose"));
    await page.getByLabel("Regarding").selectOption("p16");
    await page.getByRole("button", { name: "Choose" }).click();
    await expect(page.getByLabel("To", { exact: true })).toBeVisible();
    await expect(page.getByLabel("To", { exact: true }).locator("option")).not.toHaveCount(0);
  });
});
