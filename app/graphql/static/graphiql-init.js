/* Starts GraphiQL on the /graphql page. Loaded as a file so the page needs no inline script. */
(function () {
  "use strict";

  var defaultQuery = [
    "# customers-gateway GraphQL API",
    "#",
    "# 1. Paste the header scripts/serve printed into the",
    "#    Headers tab below:",
    '#      {"Authorization": "Bearer <token>"}',
    "# 2. Re-fetch the schema (circular arrows, bottom left,",
    "#    or Ctrl+Shift+R) so docs and autocompletion load.",
    "# 3. Run the query (play button or Ctrl+Enter).",
    "",
    "query Customers {",
    "  customers(first: 10) {",
    "    totalCount",
    "    nodes { uuid name email createdAt }",
    "    pageInfo { hasNextPage endCursor }",
    "  }",
    "}",
    "",
  ].join("\n");

  var defaultHeaders = '{\n  "Authorization": "Bearer paste-the-token-here"\n}\n';

  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false,
    })
  );
})();
