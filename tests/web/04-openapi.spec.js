// docs/openapi.json describes the API as served: every documented GET answers its schema for its
// audience, every documented POST exists and refuses a call without the CSRF token, and errors
// carry the ABI status and deny-reason words.
const { test, expect } = require("@playwright/test");
const fs = require("node:fs");
const path = require("node:path");
const { url, apiSignIn, enableEast } = require("./helpers");

test.beforeAll(async ({ playwright }) => enableEast(playwright));

const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/openapi.json"), "utf8"));

function resolve(schema) {
  while (schema && schema.$ref) schema = schema.$ref.split("/").slice(1).reduce((node, key) => node[key], spec);
  return schema;
}

// The subset of JSON Schema the document uses: type, required, properties, items, $ref.
function check(value, schema, where, problems) {
  schema = resolve(schema);
  if (!schema) return;
  const types = { object: (v) => v !== null && typeof v === "object" && !Array.isArray(v), array: Array.isArray,
    string: (v) => typeof v === "string", integer: Number.isInteger, boolean: (v) => typeof v === "boolean" };
  if (schema.type && !types[schema.type](value)) {
    problems.push(`${where}: expected ${schema.type}, got ${JSON.stringify(value)}`);
    return;
  }
  if (schema.type === "object") {
    for (const key of schema.required || []) if (!(key in value)) problems.push(`${where}: missing ${key}`);
    for (const [key, sub] of Object.entries(schema.properties || {})) {
      if (key in value && value[key] !== null) check(value[key], sub, `${where}.${key}`, problems);
    }
  }
  if (schema.type === "array") value.forEach((item, i) => check(item, schema.items, `${where}[${i}]`, problems));
}

function concretePath(template, operation) {
  let concrete = template;
  const query = [];
  for (const reference of operation.parameters || []) {
    const parameter = resolve(reference);
    if (parameter.in === "path") concrete = concrete.replace(`{${parameter.name}}`, String(parameter.example));
    if (parameter.in === "query" && parameter.example !== undefined) query.push(`${parameter.name}=${parameter.example}`);
  }
  return `/api/v1${concrete}${query.length ? `?${query.join("&")}` : ""}`;
}

test("docs/openapi.json is an OpenAPI 3 document whose references resolve", () => {
  expect(spec.openapi).toMatch(/^3\./);
  expect(spec.servers[0].url).toBe("/api/v1");
  const text = JSON.stringify(spec);
  for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) expect(resolve({ $ref: ref }), ref).toBeTruthy();
});

test("every documented GET answers its documented schema, for its audience only", async ({ playwright }) => {
  const staff = await playwright.request.newContext();
  const portal = await playwright.request.newContext();
  const staffCsrf = await apiSignIn(staff, "admin");
  await apiSignIn(portal, "portal:rachel");
  // A thread both sides can read, numbered as the document's example.
  const nurse = await playwright.request.newContext();
  const nurseCsrf = await apiSignIn(nurse, "nurse2");
  await nurse.post(url("/api/v1/messages/new"), { headers: { "X-CSRF-Token": nurseCsrf },
    data: { patient: "p15", subject: "OpenAPI check", body: "Hello." } });
  void staffCsrf;

  for (const [template, item] of Object.entries(spec.paths)) {
    const operation = item.get;
    if (!operation) continue;
    const audience = operation["x-audience"];
    let target = concretePath(template, operation);
    // Thread examples: the newest thread this audience can see.
    const context = audience === "portal" ? portal : audience === "staff" ? (template.startsWith("/messages/{") ? nurse : staff) : staff;
    if (template.includes("{thread}")) {
      const inbox = await (await context.get(url(audience === "portal" ? "/api/v1/portal" : "/api/v1/messages"))).json();
      target = target.replace(/\/\d+$/, `/${inbox.threads[0].id}`);
    }
    const response = await context.get(url(target));
    expect(response.status(), target).toBe(200);
    const problems = [];
    check(await response.json(), operation.responses["200"].content["application/json"].schema, target, problems);
    expect(problems, target).toEqual([]);
    const other = audience === "portal" ? staff : portal;
    expect((await other.get(url(target))).status(), `${target} for the other audience`).toBe(403);
  }
});

test("every documented POST exists and refuses a call without the CSRF token, naming the status", async ({ playwright }) => {
  const staff = await playwright.request.newContext();
  const portal = await playwright.request.newContext();
  await apiSignIn(staff, "admin");
  await apiSignIn(portal, "portal:rachel");
  for (const [template, item] of Object.entries(spec.paths)) {
    const operation = item.post;
    if (!operation || operation["x-audience"] === "anyone") continue;
    const context = operation["x-audience"] === "portal" ? portal : staff;
    const target = concretePath(template, operation);
    const response = await context.post(url(target), { data: {} });
    expect(response.status(), target).toBe(403);
    const problems = [];
    check(await response.json(), spec.components.schemas.Error, target, problems);
    expect(problems).toEqual([]);
  }
});

test("a messaging refusal carries the ABI status and deny-reason words", async ({ request }) => {
  const csrf = await apiSignIn(request, "drlee");
  // South follows General, where My Messages is off.
  const response = await request.post(url("/api/v1/messages/new"), {
    headers: { "X-CSRF-Token": csrf }, data: { patient: "p08", body: "Hello" },
  });
  expect(response.status()).toBe(403);
  const { error } = await response.json();
  expect(error.status).toBe("forbidden");
  expect(error.reason).toMatch(/^[a-z_]+$/);
});
