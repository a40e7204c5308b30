// graphql-ws (the graphql-transport-ws protocol's reference client) subscribing to customerEvents on a
// running server, the token in connectionParams. Prints one JSON line per message as it arrives:
// {"event": {...}} for each event (until a CUSTOMER_DELETED one, then it completes and exits), or
// {"closed": code, "reason": "..."} when the server closes the connection instead.
// Usage: node graphql-ws-subscribe.cjs WS_URL TOKEN
"use strict";
const { createClient } = require("graphql-ws");
const WebSocket = require("ws");

const QUERY = `
  subscription Live {
    customerEvents {
      id
      type
      customerUuid
      data
      previousAttributes
    }
  }
`;

function print(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

function main() {
  const [url, token] = process.argv.slice(2);
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
    // Closed by the server with a code of its own: report it, do not retry.
    shouldRetry: () => false,
  });
  const unsubscribe = client.subscribe(
    { query: QUERY },
    {
      next(message) {
        if (message.errors) {
          print({ errors: message.errors });
          return;
        }
        const event = message.data.customerEvents;
        print({ event });
        if (event.type === "CUSTOMER_DELETED") {
          unsubscribe();
          client.dispose();
        }
      },
      error(error) {
        if (error && typeof error.code === "number") {
          print({ closed: error.code, reason: error.reason });
        } else {
          print({ error: String(error) });
        }
        client.dispose();
      },
      complete() {},
    },
  );
}

main();
