// SIGTERM must stop the server cleanly: in-flight requests finish, the plugins shut down, exit 0.
const fs = require("node:fs");

module.exports = async () => {
  const server = globalThis.ehrServer;
  if (!server) return;
  const code = await new Promise((resolve) => {
    server.on("exit", (exitCode, signal) => resolve(signal ? `signal ${signal}` : exitCode));
    server.kill("SIGTERM");
  });
  if (process.env.EHR_WEB_DATA) fs.rmSync(process.env.EHR_WEB_DATA, { recursive: true, force: true });
  if (code !== 0) throw new Error(`ehr-host serve did not stop cleanly on SIGTERM: ${code}`);
};
