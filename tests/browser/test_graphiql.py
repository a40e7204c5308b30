"""GraphiQL in headless Chromium, as a new user meets it: `scripts/serve`'s printed link opens the IDE
signed in, the query runs at once, the headers survive a reload, and without a token nothing fails
until one is pasted."""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from app.graphql.ide import authorised_link
from tests.browser.cdp import Page
from tests.browser.conftest import this_checkouts_code
from tests.cli.serve_checkout import ServeScript, make_checkout, user_environment

pytestmark = pytest.mark.slow

QUERY = "{ customers(first: 5) { totalCount } }"
ANSWER = {"data": {"customers": {"totalCount": 0}}, "extensions": {"cost": 2}}
HEADERS_KEY = "customers-gateway:graphiql:headers"
# CodeMirror instances hang off their wrapper elements.
QUERY_EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
HEADER_EDITOR = "document.querySelectorAll('.graphiql-editor-tool .CodeMirror')[1].CodeMirror"
RESULT_PANE = "document.querySelector('.result-window .CodeMirror').CodeMirror"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeScript]:
    """`scripts/serve` as a user runs it, in a fresh checkout (its own ./data/, the demo merchant)."""
    checkout = make_checkout(tmp_path_factory.mktemp("checkout"))
    server = ServeScript(checkout, env=this_checkouts_code(user_environment()))
    try:
        server.wait_ready(path="/readyz")
        yield server
    finally:
        if server.process.poll() is None:
            server.signal(signal.SIGINT)
        try:
            server.wait(30)
        finally:
            server.close()


@pytest.fixture(scope="module")
def printed_link(served: ServeScript) -> str:
    """The GraphiQL link in `scripts/serve`'s banner."""
    found = re.search(r"^GraphiQL:\s+(\S+)", served.log.read_text(), re.MULTILINE)
    assert found, served.log.read_text()
    return found[1]


@pytest.fixture(scope="module")
def token(printed_link: str) -> str:
    """The demo merchant's token, as the link carries it."""
    return parse_qs(urlsplit(printed_link).fragment)["token"][0]


async def graphiql_ready(page: Page) -> None:
    """Wait for the IDE and its editors."""
    await page.wait_for(f"document.querySelector('.result-window .CodeMirror') && {QUERY_EDITOR}")


async def schema_state(page: Page) -> str:
    """What the documentation explorer shows once settled: `loaded` or `none` (no schema)."""
    await page.evaluate(
        "document.querySelector('.graphiql-doc-explorer') ||"
        " document.querySelector('.graphiql-sidebar button').click()"
    )
    return str(
        await page.wait_for(
            "document.querySelector('.graphiql-doc-explorer-root-type') ? 'loaded'"
            " : /No GraphQL schema available/.test(document.querySelector('.graphiql-doc-explorer')"
            "?.innerText || '') ? 'none' : ''"
        )
    )


async def run_query(page: Page, query: str) -> object:
    """Type a query, press run, and return the JSON the result pane shows."""
    await page.evaluate(f"{RESULT_PANE}.setValue('')")
    await page.evaluate(f"{QUERY_EDITOR}.setValue({json.dumps(query)})")
    # GraphiQL parses the editor's text shortly after each change; run once it has.
    await page.wait_for(f"{QUERY_EDITOR}.documentAST?.loc?.source.body === {QUERY_EDITOR}.getValue()")
    await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
    return json.loads(await page.wait_for(f"{RESULT_PANE}.getValue()"))


async def test_the_printed_link_opens_graphiql_signed_in(
    page: Page, served: ServeScript, printed_link: str, token: str
) -> None:
    assert printed_link == authorised_link(served.base_url, token)

    await page.navigate(printed_link)
    await graphiql_ready(page)

    # The token left the address bar and sits in the headers, kept for the next visit.
    assert await page.evaluate("window.location.href") == f"{served.base_url}/graphql"
    assert json.loads(await page.evaluate(f"{HEADER_EDITOR}.getValue()")) == {
        "Authorization": f"Bearer {token}"
    }
    assert token in await page.evaluate(f"localStorage.getItem('{HEADERS_KEY}')")
    assert await schema_state(page) == "loaded"
    assert await page.evaluate(f"{RESULT_PANE}.getValue()") == "", "nothing failed on the way in"
    assert await run_query(page, QUERY) == ANSWER

    await page.reload()
    await graphiql_ready(page)
    assert await schema_state(page) == "loaded"
    assert await run_query(page, QUERY) == ANSWER

    # The fragment is the browser's alone: no request line the server logged carries the token.
    requests = [line for line in served.log.read_text().splitlines() if '"GET ' in line or '"POST ' in line]
    assert requests and not [line for line in requests if token in line]


async def test_without_a_token_nothing_fails_until_a_header_is_pasted(
    page: Page, served: ServeScript, token: str
) -> None:
    await page.navigate(f"{served.base_url}/graphql")
    await graphiql_ready(page)
    assert await schema_state(page) == "none"
    assert await page.evaluate(f"{RESULT_PANE}.getValue()") == ""

    # A wrong token: the schema fetch's 401 is shown, as the answer to what was just typed.
    await page.evaluate(
        f"{HEADER_EDITOR}.setValue({json.dumps(json.dumps({'Authorization': 'Bearer wrong'}))})"
    )
    await page.wait_for(f"/UNAUTHENTICATED/.test({RESULT_PANE}.getValue())")

    # The right one: the schema is fetched again and the old 401 is gone from the result pane.
    good = json.dumps({"Authorization": f"Bearer {token}"})
    await page.evaluate(f"{HEADER_EDITOR}.setValue({json.dumps(good)})")
    await page.wait_for("document.querySelector('.graphiql-doc-explorer-root-type')")
    await page.wait_for(f"{RESULT_PANE}.getValue() === ''")
    assert await run_query(page, QUERY) == ANSWER
