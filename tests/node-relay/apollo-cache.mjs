// Apollo Client's InMemoryCache against a running gateway: customers are normalised by their global `id`,
// so a mutation answering a customer updates the list already in the cache, with no refetch.
// Usage: GATEWAY_URL=http://127.0.0.1:8000 GATEWAY_TOKEN=... node apollo-cache.mjs
// Prints one JSON object: the list's names before and after the rename, and how many requests were sent.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";

const LIST = gql`
  query List {
    customers(first: 10, orderBy: CREATED_AT_ASC) {
      nodes { id uuid name }
    }
  }
`;
const RENAME = gql`
  mutation Rename($uuid: ID!, $name: String!) {
    updateCustomer(uuid: $uuid, input: { name: $name }) {
      ... on CustomerPayload { customer { id name } }
    }
  }
`;

let requests = 0;
const countingFetch = (uri, options) => {
  requests += 1;
  return fetch(uri, options);
};
const client = new ApolloClient({
  link: new HttpLink({
    uri: `${process.env.GATEWAY_URL}/graphql`,
    headers: { authorization: `Bearer ${process.env.GATEWAY_TOKEN}` },
    fetch: countingFetch,
  }),
  cache: new InMemoryCache(),
});

const listed = await client.query({ query: LIST });
const first = listed.data.customers.nodes[0];
await client.mutate({ mutation: RENAME, variables: { uuid: first.uuid, name: `${first.name} (renamed)` } });
const cached = client.readQuery({ query: LIST });
const again = await client.query({ query: LIST }); // cache-first: answered from the cache
const cacheKeys = Object.keys(client.cache.extract()).filter((key) => key.startsWith("Customer:"));

console.log(
  JSON.stringify({
    before: listed.data.customers.nodes.map((node) => node.name),
    after: cached.customers.nodes.map((node) => node.name),
    again: again.data.customers.nodes.map((node) => node.name),
    cacheKeys,
    ids: listed.data.customers.nodes.map((node) => node.id),
    requests,
  }),
);
