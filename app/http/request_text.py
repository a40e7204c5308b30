"""Text hygiene for what a request carries outside its body: path parameters and the query string.

Both are percent-decoded by the server, so `%00` arrives as NUL; the decision itself is
`app.text.client_text.is_acceptable`, the same for every text a client sends.
"""

from __future__ import annotations

from starlette.requests import Request

from app.text.client_text import check_pairs, check_text


def check_request_text(request: Request) -> None:
    """Refuse (UnacceptableText) a request whose path parameters or query parameters hold NUL or a lone
    surrogate; a path parameter is named by its route name, a query parameter by its own name."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            check_text(value, name)
    check_pairs(request.query_params.multi_items(), "query")
