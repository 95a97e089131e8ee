// A bounded loopback load test of `ehr-host serve`: SESSIONS signed-in staff and portal sessions
// read their inbox page and send messages for SECONDS, then every message sent is looked up again
// and nothing may be missing. Prints a JSON summary (latency percentiles, counts, errors).
// Usage: node bench/web/load.mjs URL PASSWORD [SESSIONS=50] [SECONDS=60]
const [base, password, sessionsText = "50", secondsText = "60"] = process.argv.slice(2);
const sessions = Number(sessionsText);
const seconds = Number(secondsText);

// The people of the sample practice who can write to each other at East (see scripts/web-load).
const staff = ["drgarcia", "nurse2", "drkim", "nurse3"];
const portal = [["rachel", "p15"], ["zoe", "p17"], ["erik", "p19"], ["ben", "p20"]];

async function signIn(user) {
  const isPortal = user.startsWith("portal:");
  const response = await fetch(`${base}/api/v1/${isPortal ? "portal/login" : "login"}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: isPortal ? user.slice(7) : user, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${user}: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get("set-cookie").split(";")[0];
  return { user, cookie, csrf: (await response.json()).csrf };
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const pageTimes = [];
const sendTimes = [];
const errors = [];
const sent = []; // { reader session, thread, message id }

async function timed(list, run) {
  const start = performance.now();
  const response = await run();
  list.push(performance.now() - start);
  return response;
}

async function worker(index, session, until) {
  const isPortal = session.user.startsWith("portal:");
  const [, patient] = isPortal ? portal.find(([id]) => `portal:${id}` === session.user) : [null, null];
  const headers = { Cookie: session.cookie };
  let round = 0;
  while (performance.now() < until) {
    round += 1;
    const page = await timed(pageTimes, () => fetch(`${base}${isPortal ? "/portal" : "/messages"}`, { headers }));
    const html = await page.text();
    if (page.status !== 200 || !html.includes("</html>")) errors.push(`page ${session.user}: ${page.status}`);
    if (round % 3 !== 0) continue;
    const body = isPortal
      ? { patient, to: staff[index % staff.length], subject: `load ${index}.${round}`, body: `Message ${index}.${round}` }
      : { patient: portal[index % portal.length][1], subject: `load ${index}.${round}`, body: `Message ${index}.${round}` };
    const response = await timed(sendTimes, () => fetch(`${base}/api/v1/${isPortal ? "portal/compose" : "messages/new"}`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json", "X-CSRF-Token": session.csrf },
      body: JSON.stringify(body),
    }));
    const answer = await response.json();
    if (response.status !== 200) errors.push(`send ${session.user}: ${response.status} ${JSON.stringify(answer)}`);
    else sent.push({ session, thread: answer.thread, message: answer.message, body: body.body });
  }
}

const people = [];
for (let i = 0; i < sessions; i++) {
  people.push(i % 2 === 0 ? staff[(i / 2) % staff.length] : `portal:${portal[((i - 1) / 2) % portal.length][0]}`);
}
const signedIn = [];
for (const person of people) signedIn.push(await signIn(person));
const started = performance.now();
const until = started + seconds * 1000;
await Promise.all(signedIn.map((session, i) => worker(i, session, until)));
const elapsed = (performance.now() - started) / 1000;

// No lost message: each one sent is in its thread, as its sender reads it back.
let lost = 0;
for (const { session, thread, message, body } of sent) {
  const path = session.user.startsWith("portal:") ? `/api/v1/portal/threads/${thread}` : `/api/v1/messages/${thread}`;
  const response = await fetch(`${base}${path}`, { headers: { Cookie: session.cookie } });
  const view = await response.json();
  if (!view.messages || !view.messages.some((m) => m.id === message && m.body === body)) lost += 1;
}

console.log(JSON.stringify({
  sessions, seconds: Number(elapsed.toFixed(1)),
  pages: pageTimes.length, sends: sendTimes.length, errors: errors.length, first_errors: errors.slice(0, 5), lost,
  page_ms: { p50: percentile(pageTimes, 50), p95: percentile(pageTimes, 95), p99: percentile(pageTimes, 99) },
  send_ms: { p50: percentile(sendTimes, 50), p95: percentile(sendTimes, 95), p99: percentile(sendTimes, 99) },
}, (key, value) => (typeof value === "number" ? Number(value.toFixed(1)) : value), 1));
