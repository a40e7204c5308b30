// Apollo Client with its persisted-query link against a running server. Prints one JSON object with
// the answers of four requests: a new query (hash only, refused; then sent again with the document), the
// same query again over POST (hash only), and again from a client using GET for hashed queries.
// Usage: node apollo-persisted-queries.cjs URL TOKEN
"use strict";
const { createHash } = require("node:crypto");
const { ApolloClient, HttpLink, InMemoryCache, gql } = require("@apollo/client/core");
const { createPersistedQueryLink } = require("@apollo/client/link/persisted-queries");

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

function client(url, token, useGETForHashedQueries) {
  const http = new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch });
  return new ApolloClient({
    link: createPersistedQueryLink({ sha256, useGETForHashedQueries }).concat(http),
    cache: new InMemoryCache(),
    defaultOptions: { query: { fetchPolicy: "no-cache" } },
  });
}

async function main() {
  const [url, token] = process.argv.slice(2);
  const query = gql`
    query CustomerCount {
      customers(first: 5) {
        totalCount
      }
    }
  `;
  const overPost = client(url, token, false);
  const first = await overPost.query({ query });
  const second = await overPost.query({ query });
  const overGet = client(url, token, true);
  const third = await overGet.query({ query });
  const answers = [first, second, third].map((result) => ({ data: result.data, errors: result.errors || null }));
  process.stdout.write(JSON.stringify({ answers }) + "\n");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
