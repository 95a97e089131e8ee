// R-WEB-2: the help text's steps, by clicking, in chromium: an admin turns My Messages on for one
// location only with Selected users, gives three users the role with Assign Selected, a staff
// member writes, a guardian signs in, sees the badge, replies and archives.
const { test, expect } = require("@playwright/test");
const { url, signIn, signOut, menu, picture, apiSignIn } = require("./helpers");

test.describe.configure({ mode: "serial" });

test("R_WEB_2 an admin enables My Messages for one location only, with Selected users", async ({ page }) => {
  await signIn(page, "admin");
  await menu(page, "Settings");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Portal Settings");
  // Every word of the page is the plugin's: its fields and their help.
  await expect(page.getByLabel("My Messages")).not.toBeChecked();
  await expect(page.getByText("Turns on secure messaging between care teams")).toBeVisible();
  await picture(page, "settings-general");

  await page.getByRole("link", { name: "Edit Eastwood Pediatrics" }).click();
  await expect(page.getByText("This location follows General")).toBeVisible();
  await picture(page, "settings-location-before");
  await page.getByLabel("My Messages").check();
  await page.getByLabel("Portal users can message").selectOption({ label: "Selected users" });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByText("This location has its own settings")).toBeVisible();
  await expect(page.getByLabel("My Messages")).toBeChecked();
  await expect(page.getByRole("button", { name: "Reset to General" })).toBeVisible();
  await picture(page, "settings-location-saved");

  // General is untouched: the other locations follow it, and it stays off.
  await page.getByRole("link", { name: "General", exact: true }).click();
  await expect(page.getByLabel("My Messages")).not.toBeChecked();
  const rows = page.getByRole("row");
  await expect(rows.filter({ hasText: "Eastwood Pediatrics" })).toContainText("Own settings");
  await expect(rows.filter({ hasText: "Riverbend North Clinic" })).toContainText("Follows General");
});

test("R_WEB_2 a refused save shows the plugin's reason next to the field, keeps the typed value and stores nothing", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto(url("/settings"));
  const subject = page.getByLabel("New message: subject");
  const before = await subject.inputValue();
  await subject.fill("Hello {{not_a_placeholder}}");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("Not saved");
  const fieldError = page.locator("#e-new_message_subject");
  await expect(fieldError).toContainText("not_a_placeholder");
  await expect(subject).toHaveValue("Hello {{not_a_placeholder}}");
  await expect(subject).toHaveAttribute("aria-describedby", /e-new_message_subject/);
  await picture(page, "settings-refused");
  await page.goto(url("/settings"));
  await expect(page.getByLabel("New message: subject")).toHaveValue(before);
});

test("R_WEB_2 saving General unchanged keeps every multi-line template exactly (line breaks stay LF)", async ({ page, request }) => {
  await apiSignIn(request, "admin");
  const before = await (await request.get(url("/api/v1/settings"))).json();
  await signIn(page, "admin");
  await page.goto(url("/settings"));
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  const after = await (await request.get(url("/api/v1/settings"))).json();
  const values = (model) => model.page.sections.flatMap((s) => s.fields.map((f) => [f.key, f.value]));
  expect(values(after)).toEqual(values(before));
  expect(JSON.stringify(values(after))).not.toContain("\\r");
});

test("R_WEB_2 a user without Manage Portal Settings is refused the settings page", async ({ page }) => {
  await signIn(page, "drlee");
  const response = await page.goto(url("/settings"));
  expect(response.status()).toBe(403);
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByLabel("My Messages")).toHaveCount(0);
});

test("R_WEB_2 Assign Roles gives the role to three users with Assign Selected and says how many changed", async ({ page }) => {
  await signIn(page, "admin");
  await menu(page, "Assign Roles");
  await page.getByLabel("Roles", { exact: true }).selectOption("available_for_portal_messages");
  await page.getByRole("button", { name: "Show holders" }).click();
  await page.getByLabel("Users", { exact: true }).selectOption(["drkim", "nurse2", "nurse3"]);
  await picture(page, "assign-roles");
  await page.getByRole("button", { name: "Assign Selected", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Assigned Available for portal messages: 3 users changed (Dr. Daniel Kim, Taylor Jones, RN, Riley Chen, RN).");
  // Again: nobody changes.
  await page.getByLabel("Users", { exact: true }).selectOption(["drkim", "nurse2", "nurse3"]);
  await page.getByRole("button", { name: "Assign Selected", exact: true }).click();
  await expect(page.getByRole("status")).toContainText(": 0 users changed");
  // Unassign Selected, then give it back.
  await page.getByLabel("Users", { exact: true }).selectOption(["nurse3"]);
  await page.getByRole("button", { name: "Unassign Selected" }).click();
  await expect(page.getByRole("status")).toContainText("Unassigned Available for portal messages: 1 user changed");
  await page.getByLabel("Users", { exact: true }).selectOption(["nurse3"]);
  await page.getByRole("button", { name: "Assign Selected", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("1 user changed");

  // Manage Users > Active Users > Edit: the Patient Portal roles section, as check boxes.
  await menu(page, "Manage Users");
  await expect(page.getByRole("heading", { name: "Active Users" })).toBeVisible();
  await picture(page, "manage-users");
  await page.getByRole("link", { name: "Edit Dr. Daniel Kim" }).click();
  const section = page.getByRole("group", { name: "Patient Portal roles" });
  await expect(section.getByLabel("Available for portal messages")).toBeChecked();
  await picture(page, "edit-user");
});

test("R_WEB_2 a staff member writes to a patient's guardian, who sees the badge, replies and archives", async ({ page }) => {
  await signIn(page, "nurse2");
  await page.getByRole("link", { name: "Messages" }).click();
  await page.getByRole("link", { name: "New message" }).click();
  await page.getByLabel("Patient", { exact: true }).selectOption("p15");
  await page.getByRole("button", { name: "Choose" }).click();
  await expect(page.getByLabel("Rachel Thompson (guardian)")).toBeChecked();
  await page.getByLabel("Subject", { exact: true }).fill("Vaccination reminder");
  await page.getByLabel("Message", { exact: true }).fill("Mia is due for her booster.\nPlease book a visit.");
  await picture(page, "staff-compose");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Vaccination reminder");
  await expect(page.getByText("Mia is due for her booster.")).toBeVisible();
  await signOut(page);

  await signIn(page, "portal:rachel");
  const badge = page.getByRole("navigation").locator(".badge");
  await expect(badge).toContainText("1");
  await expect(page.getByText("Do not use My Messages for emergencies.")).toBeVisible();
  await picture(page, "portal-inbox");
  await page.getByRole("link", { name: /Vaccination reminder/ }).click();
  await expect(page.getByText("Regarding Mia Thompson")).toBeVisible();
  // The text area's line break arrives as a line break, not as a stray carriage return.
  await expect(page.locator(".body").first()).toHaveText("Mia is due for her booster.\nPlease book a visit.");
  await expect(page.getByRole("navigation").locator(".badge")).toHaveCount(0);
  await page.getByLabel("Reply").fill("Thank you, we will call tomorrow.");
  await picture(page, "portal-thread");
  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(page.getByText("Thank you, we will call tomorrow.")).toBeVisible();
  await page.getByRole("button", { name: "Archive" }).click();
  await expect(page.getByRole("link", { name: /Vaccination reminder/ })).toHaveCount(0);
  await page.getByRole("link", { name: "Archived" }).click();
  await expect(page.getByRole("link", { name: /Vaccination reminder/ })).toBeVisible();
  await signOut(page);

  // The staff side: the reply is unread in nurse2's inbox, with the badge.
  await signIn(page, "nurse2");
  await expect(page.getByRole("navigation").locator(".badge")).toContainText("1");
  await expect(page.locator(".threads li.unread")).toContainText("Vaccination reminder");
  await picture(page, "staff-inbox");
});

test("R_WEB_2 the portal's compose offers exactly the plugin's eligible staff for the chart chosen", async ({ page, request }) => {
  await signIn(page, "portal:rachel");
  await page.getByRole("link", { name: "New message" }).click();
  await page.getByLabel("Regarding").selectOption("p16");
  await page.getByRole("button", { name: "Choose" }).click();
  const offered = await page.getByLabel("To", { exact: true }).locator("option").evaluateAll((options) => options.map((o) => o.value));
  expect(await apiSignIn(request, "portal:rachel")).toBeTruthy();
  const api = await (await request.get(url("/api/v1/portal/compose?patient=p16"))).json();
  expect(offered).toEqual(api.recipients.map((r) => r.principal));
  expect(offered.length).toBeGreaterThan(0);
  await page.getByLabel("To", { exact: true }).selectOption("drgarcia");
  await page.getByLabel("Subject", { exact: true }).fill("Leo's allergy");
  await page.getByLabel("Message", { exact: true }).fill("Leo reacted to peanuts yesterday.");
  await picture(page, "portal-compose");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("Regarding Leo Thompson")).toBeVisible();
});

test("R_WEB_2 the plugins page and the audit trail", async ({ page }) => {
  await signIn(page, "admin");
  await menu(page, "Plugins");
  const row = page.getByRole("row").filter({ hasText: "portal-messaging" });
  await expect(row).toContainText("enabled");
  await row.getByRole("button", { name: /Verify/ }).click();
  await expect(page.getByRole("status")).toContainText("verified");
  await picture(page, "plugins");
  await menu(page, "Audit");
  await expect(page.getByRole("status")).toContainText("the hash chain is intact");
  await page.getByLabel("Actor").fill("nurse2");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.locator("tbody tr").first()).toContainText("nurse2");
  await picture(page, "audit");
});
