// Browser tests of `ehr-host serve`, in Debian's chromium (never a downloaded browser).
// Run by scripts/test; alone: (cd tests/web && npx playwright test). EHR_BUILD_DIR picks the build
// (default build/dev); EHR_SCREENSHOTS=1 writes the pictures of docs/ to docs/images/.
const { defineConfig, devices } = require("@playwright/test");

module.exports = defineConfig({
  testDir: ".",
  testMatch: /.*\.spec\.js/,
  // One server, one data directory: the walk builds on what the steps before it did.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  globalSetup: require.resolve("./global-setup.js"),
  globalTeardown: require.resolve("./global-teardown.js"),
  use: {
    launchOptions: { executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] },
    trace: "off",
  },
  projects: [
    { name: "desktop", use: { viewport: { width: 1280, height: 900 } }, testIgnore: /phone\.spec\.js/ },
    { name: "phone", use: { ...devices["Pixel 5"], viewport: { width: 390, height: 844 }, defaultBrowserType: "chromium" },
      testMatch: /phone\.spec\.js/, dependencies: ["desktop"] },
  ],
});
