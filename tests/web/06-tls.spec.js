// `ehr-host serve --tls-cert FILE --tls-key FILE` speaks HTTPS: the pages load over TLS, the
// session cookie is Secure (besides HttpOnly and SameSite=Strict), plain HTTP to the same port gets
// no page, and SIGTERM still stops it cleanly. Its own server, on its own data directory, with a
// throw-away self-signed certificate for 127.0.0.1.
const { test, expect } = require("@playwright/test");
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const PASSWORD = "tls test password";
let data;
let server;
let base;

function startServer(env, args) {
  const child = spawn(process.env.EHR_HOST_BINARY, ["serve", "--listen", "127.0.0.1:0", ...args], {
    env, stdio: ["ignore", "pipe", "pipe"] });
  const address = new Promise((resolve, reject) => {
    let output = "";
    const collect = (chunk) => {
      output += chunk;
      const found = output.match(/Serving on (https?:\/\/[0-9.]+:\d+)\//);
      if (found) resolve(found[1]);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("exit", (code) => reject(new Error(`ehr-host serve exited with ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`ehr-host serve did not start: ${output}`)), 30_000);
  });
  return { child, address };
}

test.beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), "ehr-web-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(data, "key.pem"), "-out", path.join(data, "cert.pem")],
  { stdio: "ignore" });
  const env = { ...process.env, EHR_HOST_DATA: path.join(data, "host") };
  const host = (...args) => execFileSync(process.env.EHR_HOST_BINARY, args, { env, input: `${PASSWORD}\n` });
  host("plugins", "enable", "portal-messaging");
  host("users", "set-password", "admin");
  server = startServer(env, ["--tls-cert", path.join(data, "cert.pem"), "--tls-key", path.join(data, "key.pem")]);
  base = await server.address;
});

test.afterAll(async () => {
  const code = await new Promise((resolve) => {
    server.child.on("exit", (exitCode, signal) => resolve(signal ? `signal ${signal}` : exitCode));
    server.child.kill("SIGTERM");
  });
  fs.rmSync(data, { recursive: true, force: true });
  expect(code, "ehr-host serve over TLS stops cleanly on SIGTERM").toBe(0);
});

test.use({ ignoreHTTPSErrors: true });

test("R_WEB_3 over TLS the console signs in with a Secure, HttpOnly, SameSite=Strict session cookie", async ({ page, context }) => {
  expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  await page.goto(`${base}/login`);
  await page.getByLabel("User name").fill("admin");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("summary .initials")).toBeVisible();
  const cookies = await context.cookies(base);
  expect(cookies.length).toBeGreaterThan(0);
  for (const cookie of cookies) {
    expect(cookie.secure, cookie.name).toBe(true);
    expect(cookie.httpOnly, cookie.name).toBe(true);
    expect(cookie.sameSite, cookie.name).toBe("Strict");
  }
});

test("R_WEB_3 plain HTTP to the TLS port gets no page", async () => {
  const plain = base.replace("https://", "http://");
  const answer = await fetch(`${plain}/login`).then((r) => r.status, (error) => `refused: ${error.message}`);
  expect(answer).not.toBe(200);
});

test("R_WEB_3 a certificate that does not match its key is refused at start, naming both files", async () => {
  const other = path.join(data, "other-key.pem");
  execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", other], { stdio: "ignore" });
  const env = { ...process.env, EHR_HOST_DATA: path.join(data, "host") };
  const refused = startServer(env, ["--tls-cert", path.join(data, "cert.pem"), "--tls-key", other]);
  const outcome = await refused.address.then((address) => `served on ${address}`, (error) => error.message);
  if (outcome.startsWith("served")) refused.child.kill("SIGTERM");
  expect(outcome).toContain("exited with 1");
  expect(outcome).toContain("cert.pem");
  expect(outcome).toContain("other-key.pem");
});
