/* Starts GraphiQL on the /graphql page. Loaded as a file so the page needs no inline script.
 *
 * What it adds to the stock IDE:
 * - `#token=<access token>` in the address (the link `scripts/serve` prints) becomes the Authorization
 *   header, then leaves the address bar. A fragment never reaches the server, logs or a Referer.
 * - The headers are kept in this browser (localStorage), so a reload stays signed in.
 * - The schema is fetched only with credentials, and again whenever the headers change; an error left
 *   in the result pane by an earlier schema fetch is cleared once one succeeds.
 */
(function () {
  "use strict";

  var HEADERS_KEY = "customers-gateway:graphiql:headers";
  var PLACEHOLDER_TOKEN = "paste-the-token-here";
  // Typing a header fires a change per key; fetch the schema once the typing stops.
  var REFETCH_DELAY_MS = 400;

  var defaultQuery = [
    "# customers-gateway GraphQL API",
    "#",
    "# Signed in? The Headers tab below holds an Authorization header",
    "# (the link scripts/serve prints fills it in). Otherwise paste",
    '#   {"Authorization": "Bearer <token>"}',
    "# there: the schema loads as soon as the header changes.",
    "# Run the query with the play button (or Ctrl+Enter).",
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

  function headersText(headers) {
    return JSON.stringify(headers, null, 2) + "\n";
  }

  var placeholderHeaders = headersText({ Authorization: "Bearer " + PLACEHOLDER_TOKEN });

  function readStored() {
    try {
      return window.localStorage.getItem(HEADERS_KEY);
    } catch (error) {
      return null; // storage disabled: the headers last as long as the page
    }
  }

  function store(text) {
    try {
      window.localStorage.setItem(HEADERS_KEY, text);
    } catch (error) {
      /* storage disabled or full: nothing to keep them in */
    }
  }

  function parseHeaders(text) {
    try {
      var parsed = JSON.parse(text || "{}");
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
    } catch (error) {
      return null;
    }
  }

  function authorization(headers) {
    if (!headers) {
      return null;
    }
    for (var name in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, name) && name.toLowerCase() === "authorization") {
        var value = String(headers[name]).trim();
        return value && value.indexOf(PLACEHOLDER_TOKEN) === -1 ? value : null;
      }
    }
    return null;
  }

  /* The token of a `#token=...` address, removed from the address bar (and history) at once. */
  function takeFragmentToken() {
    var fragment = window.location.hash.replace(/^#/, "");
    if (!fragment) {
      return null;
    }
    var token = new URLSearchParams(fragment).get("token");
    if (token === null) {
      return null;
    }
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    return token.trim() || null;
  }

  /* The stored headers with their Authorization replaced by the token (other headers kept). */
  function withToken(text, token) {
    var headers = parseHeaders(text) || {};
    for (var name in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, name) && name.toLowerCase() === "authorization") {
        delete headers[name];
      }
    }
    var result = { Authorization: "Bearer " + token };
    for (var other in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, other)) {
        result[other] = headers[other];
      }
    }
    return headersText(result);
  }

  var baseFetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var React = window.React;
  var ide = GraphiQL.React;

  var state = {
    // What the header editor is set to when GraphiQL (re)renders it; edits are not written back here.
    headers: null,
    // Whether the schema may be fetched: only with a real Authorization header.
    signedIn: false,
    // A new fetcher makes GraphiQL fetch the schema again (it introspects once per fetcher).
    fetcher: null,
    // The headers the current fetcher's schema was (or is being) fetched with.
    fetchedWith: null,
  };

  function newFetcher() {
    return function fetcher(params, options) {
      return baseFetcher(params, options);
    };
  }

  /* Takes new headers into account; true when the schema must be fetched again (or dropped). Headers that
   * are not (yet) a JSON object, as while typing, change nothing. */
  function adopt(text) {
    var headers = parseHeaders(text);
    if (headers === null) {
      return false;
    }
    var canonical = JSON.stringify(headers);
    if (canonical === state.fetchedWith) {
      return false;
    }
    state.fetchedWith = canonical;
    state.signedIn = authorization(headers) !== null;
    state.fetcher = newFetcher();
    return true;
  }

  /* Clears the result pane when it still shows the error of a schema fetch that has since succeeded. */
  function StaleSchemaErrorCleaner() {
    var editors = ide.useEditorContext({ nonNull: true });
    var schemaContext = ide.useSchemaContext({ nonNull: true });
    var lastError = React.useRef(null);
    var response = editors.responseEditor;
    React.useEffect(
      function () {
        if (schemaContext.fetchError) {
          lastError.current = schemaContext.fetchError;
          return;
        }
        if (schemaContext.schema && lastError.current !== null) {
          if (response && response.getValue() === lastError.current) {
            response.setValue("");
          }
          lastError.current = null;
        }
      },
      [schemaContext.fetchError, schemaContext.schema, response]
    );
    return null;
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  var pending = null;

  function render() {
    root.render(
      React.createElement(
        GraphiQL,
        {
          fetcher: state.fetcher,
          // null: no schema and no fetch (a fetch without credentials could only answer 401).
          schema: state.signedIn ? undefined : null,
          defaultQuery: defaultQuery,
          headers: state.headers,
          defaultHeaders: placeholderHeaders,
          onEditHeaders: onEditHeaders,
          isHeadersEditorEnabled: true,
          defaultEditorToolsVisibility: "headers",
          // The headers are kept by this script, under its own key, for every tab alike.
          shouldPersistHeaders: false,
        },
        React.createElement(GraphiQL.Footer, null, React.createElement(StaleSchemaErrorCleaner))
      )
    );
  }

  function onEditHeaders(text) {
    store(text);
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      if (adopt(text)) {
        render();
      }
    }, REFETCH_DELAY_MS);
  }

  function start() {
    var stored = readStored();
    var token = takeFragmentToken();
    var text = token ? withToken(stored, token) : stored || placeholderHeaders;
    if (token) {
      store(text);
    }
    state.headers = text;
    adopt(text);
    state.fetcher = state.fetcher || newFetcher();
    render();
  }

  /* A second link opened in a tab already showing GraphiQL only changes the fragment. */
  window.addEventListener("hashchange", function () {
    var token = takeFragmentToken();
    if (token) {
      var text = withToken(readStored(), token);
      store(text);
      state.headers = text;
      adopt(text);
      render();
    }
  });

  start();
})();
