// Starts `ehr-host serve` on a free loopback port, in a fresh data directory on the sample
// practice, with the plugin enabled and sign-in passwords for the people the tests play.
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const source = path.resolve(__dirname, "../..");
const build = path.resolve(source, process.env.EHR_BUILD_DIR || "build/dev");
const hostBinary = path.join(build, "samples/ehr-host");

const PASSWORD = "correct horse battery staple";
const PEOPLE = ["admin", "drlee", "drgarcia", "nurse2", "nurse3", "portal:rachel", "portal:maria", "portal:hoa"];

module.exports = async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ehr-web-test-"));
  const env = {
    ...process.env,
    EHR_HOST_DATA: data,
    EHR_HOST_PLUGINS: path.join(build, "plugins"),
    EHR_HOST_PRACTICE: path.join(source, "samples/practice/clinic-network.xml"),
  };
  const host = (...args) => execFileSync(hostBinary, args, { env, input: `${PASSWORD}\n` });
  host("plugins", "enable", "portal-messaging");
  for (const person of PEOPLE) host("users", "set-password", person);

  const server = spawn(hostBinary, ["serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let output = "";
    server.stdout.on("data", (chunk) => {
      output += chunk;
      const found = output.match(/Serving on (http:\/\/[0-9.]+:\d+)\//);
      if (found) resolve(found[1]);
    });
    server.on("exit", (code) => reject(new Error(`ehr-host serve exited with ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`ehr-host serve did not start: ${output}`)), 30_000);
  });
  process.env.EHR_WEB_URL = url;
  process.env.EHR_WEB_DATA = data;
  process.env.EHR_WEB_PASSWORD = PASSWORD;
  process.env.EHR_HOST_BINARY = hostBinary;
  process.env.EHR_HOST_PLUGINS = env.EHR_HOST_PLUGINS;
  process.env.EHR_HOST_PRACTICE = env.EHR_HOST_PRACTICE;
  globalThis.ehrServer = server;
};
