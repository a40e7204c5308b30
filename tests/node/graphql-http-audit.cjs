// Runs the graphql-http server audits (the GraphQL over HTTP reference implementation's conformance
// checks) against a running server and prints one JSON array: [{id, name, status, reason}].
// Usage: node graphql-http-audit.cjs URL TOKEN (every audit request carries `Authorization: Bearer TOKEN`).
"use strict";
const { auditServer } = require("graphql-http");

async function main() {
  const [url, token] = process.argv.slice(2);
  const fetchFn = (input, init = {}) =>
    fetch(input, { ...init, headers: { ...(init.headers || {}), authorization: `Bearer ${token}` } });
  const results = await auditServer({ url, fetchFn });
  const summary = results.map((result) => ({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === "ok" ? null : result.reason,
  }));
  process.stdout.write(JSON.stringify(summary) + "\n");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
