"""A typed Python client for every REST route, sync (`GatewayClient`) and async (`AsyncGatewayClient`).

    from app.client.api import GatewayClient

    with GatewayClient.signed("http://127.0.0.1:8000", authenticity_token="...", merchant_key="...") as gw:
        ada = gw.create_customer(name="Ada Lovelace", email="ada@example.com", metadata={"tier": "gold"})
        gw.update_customer(ada.uuid, phone="+44 20 7946 0000")
        page = gw.list_customers(limit=10)

Authentication is the httpx auth plugins of `app.client.auth` (WP3-v2.1 signing over the exact bytes sent, or
a Bearer token), so signatures never drift from the wire. Answers come back as the dataclasses of
`app.client.models`; refusals raise the typed errors of `app.client.errors`.

Each route is described once, as a `Call` (method, path, query, body, how to read the answer); the
two clients differ only in how they send it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, Unpack
from urllib.parse import quote

import httpx

from app.client.auth import DEFAULT_SCOPES, BearerAuth, SignedAuth, token_request_body
from app.client.errors import GatewayError, error_from_response
from app.client.models import AccessToken, Customer, CustomerFields, Deleted, PaymentMethod

T = TypeVar("T")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One request to the gateway and how to read its answer."""

    method: str
    path: str
    read: Callable[[dict[str, Any]], T]
    params: Mapping[str, int] | None = None
    body: Mapping[str, Any] | None = None
    authenticated: bool = True


def _segment(value: str) -> str:
    """A path parameter, percent-encoded whole (a `/` in a merchant_customer_id stays one segment)."""
    return quote(value, safe="")


def _page(limit: int | None, offset: int | None) -> dict[str, int] | None:
    params = {name: value for name, value in (("limit", limit), ("offset", offset)) if value is not None}
    return params or None


def _customers(data: dict[str, Any]) -> list[Customer]:
    return [Customer.from_json(item) for item in data["data"]]


def _payment_methods(data: dict[str, Any]) -> list[PaymentMethod]:
    return [PaymentMethod.from_json(item) for item in data["data"]]


class Routes:
    """Every REST route as a Call: the single description both clients send."""

    @staticmethod
    def fetch_token(authenticity_token: str, merchant_key: str, scopes: Iterable[str]) -> Call[AccessToken]:
        body = token_request_body(authenticity_token, merchant_key, scopes)
        return Call("POST", "/v2/oauth", AccessToken.from_json, body=body, authenticated=False)

    @staticmethod
    def create_customer(fields: CustomerFields) -> Call[Customer]:
        return Call("POST", "/v2/customers", Customer.from_json, body=dict(fields))

    @staticmethod
    def get_customer(uuid: str) -> Call[Customer]:
        return Call("GET", f"/v2/customers/{_segment(uuid)}", Customer.from_json)

    @staticmethod
    def get_customer_by_merchant_customer_id(merchant_customer_id: str) -> Call[Customer]:
        path = f"/v2/merchants/customers/{_segment(merchant_customer_id)}"
        return Call("GET", path, Customer.from_json)

    @staticmethod
    def update_customer(uuid: str, fields: CustomerFields) -> Call[Customer]:
        return Call("POST", f"/v2/customers/{_segment(uuid)}", Customer.from_json, body=dict(fields))

    @staticmethod
    def delete_customer(uuid: str) -> Call[Deleted]:
        return Call("DELETE", f"/v2/customers/{_segment(uuid)}", Deleted.from_json)

    @staticmethod
    def list_customers(limit: int | None, offset: int | None) -> Call[list[Customer]]:
        return Call("GET", "/v2/customers", _customers, params=_page(limit, offset))

    @staticmethod
    def list_payment_methods(uuid: str, limit: int | None, offset: int | None) -> Call[list[PaymentMethod]]:
        path = f"/v2/customers/{_segment(uuid)}/payment-methods"
        return Call("GET", path, _payment_methods, params=_page(limit, offset))

    @staticmethod
    def add_payment_method(uuid: str, card: Mapping[str, Any]) -> Call[PaymentMethod]:
        path = f"/v2/customers/{_segment(uuid)}/payment-methods"
        return Call("POST", path, lambda data: PaymentMethod.from_json(data["data"]), body=card)

    @staticmethod
    def remove_payment_method(uuid: str, payment_method_id: str) -> Call[Deleted]:
        path = f"/v2/customers/{_segment(uuid)}/payment-methods/{_segment(payment_method_id)}"
        return Call("DELETE", path, Deleted.from_json)

    @staticmethod
    def list_merchant_payment_methods(limit: int | None, offset: int | None) -> Call[list[PaymentMethod]]:
        return Call("GET", "/v2/payment-methods", _payment_methods, params=_page(limit, offset))


def _card(masked_pan: str, expiration_date: str, token: str, keep_until: str | None) -> dict[str, Any]:
    card = {"masked_pan": masked_pan, "expiration_date": expiration_date, "token": token}
    if keep_until is not None:
        card["keep_until"] = keep_until
    return card


def read_answer(call: Call[T], response: httpx.Response) -> T:
    """The typed answer of a 200, or the typed error of anything else."""
    if response.status_code != 200:
        raise error_from_response(response)
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise GatewayError(
            response.status_code,
            "the answer is not a JSON object",
            code="invalid_response",
            request_id=response.headers.get("x-request-id"),
        )
    return call.read(data)


def _auth(
    authenticity_token: str | None, merchant_key: str | None, access_token: str | None
) -> httpx.Auth | None:
    if access_token is not None:
        return BearerAuth(access_token)
    if authenticity_token is not None and merchant_key is not None:
        return SignedAuth(authenticity_token, merchant_key)
    return None


class _ClientBase:
    """What both clients share: credentials and how a Call becomes request arguments."""

    _auth: httpx.Auth | None

    if TYPE_CHECKING:
        # Both clients take these; declared here so that `signed` type-checks for either of them.
        def __init__(
            self,
            base_url: str,
            *,
            authenticity_token: str | None = ...,
            merchant_key: str | None = ...,
            **options: Any,
        ) -> None: ...

    @classmethod
    def signed(cls, base_url: str, *, authenticity_token: str, merchant_key: str, **options: Any) -> Self:
        """A client signing every request with WP3-v2.1."""
        return cls(base_url, authenticity_token=authenticity_token, merchant_key=merchant_key, **options)

    def use_token(self, access_token: str) -> None:
        """Authenticate every later request with this Bearer token (e.g. one from `fetch_token`)."""
        self._auth = BearerAuth(access_token)

    def _request_arguments(self, call: Call[Any]) -> dict[str, Any]:
        return {
            "method": call.method,
            "url": call.path,
            "params": call.params,
            "json": call.body,
            # No Authorization at all on the token endpoint: the credentials travel in the body. Without
            # credentials of its own, the client defers to those of a given httpx client.
            "auth": (self._auth or httpx.USE_CLIENT_DEFAULT) if call.authenticated else None,
        }


class GatewayClient(_ClientBase):
    """Blocking client. Give credentials (signing or a token) or an `httpx.Auth`; or `http`, a ready
    `httpx.Client` (its base URL is used; the caller closes it)."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        authenticity_token: str | None = None,
        merchant_key: str | None = None,
        access_token: str | None = None,
        auth: httpx.Auth | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        http: httpx.Client | None = None,
    ) -> None:
        self._auth = auth or _auth(authenticity_token, merchant_key, access_token)
        self._owns_http = http is None
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout)

    def close(self) -> None:
        """Close the connections (unless the httpx client was given)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send(self, call: Call[T]) -> T:
        """Send one Call and read its answer."""
        return read_answer(call, self._http.request(**self._request_arguments(call)))

    def fetch_token(
        self, authenticity_token: str, merchant_key: str, scopes: Iterable[str] = DEFAULT_SCOPES
    ) -> AccessToken:
        """`POST /v2/oauth`: trade the merchant's credentials for a Bearer token."""
        return self.send(Routes.fetch_token(authenticity_token, merchant_key, scopes))

    def create_customer(self, **fields: Unpack[CustomerFields]) -> Customer:
        """`POST /v2/customers`."""
        return self.send(Routes.create_customer(fields))

    def get_customer(self, uuid: str) -> Customer:
        """`GET /v2/customers/{uuid}` (deleted customers too, with `deleted` true)."""
        return self.send(Routes.get_customer(uuid))

    def get_customer_by_merchant_customer_id(self, merchant_customer_id: str) -> Customer:
        """`GET /v2/merchants/customers/{merchant_customer_id}` (live customers only)."""
        return self.send(Routes.get_customer_by_merchant_customer_id(merchant_customer_id))

    def update_customer(self, uuid: str, **fields: Unpack[CustomerFields]) -> Customer:
        """`POST /v2/customers/{uuid}`: only the fields given; `None` keeps a value, `""` clears it."""
        return self.send(Routes.update_customer(uuid, fields))

    def delete_customer(self, uuid: str) -> Deleted:
        """`DELETE /v2/customers/{uuid}` (soft; repeating it answers the same)."""
        return self.send(Routes.delete_customer(uuid))

    def list_customers(self, *, limit: int | None = None, offset: int | None = None) -> list[Customer]:
        """`GET /v2/customers`: live customers, newest first."""
        return self.send(Routes.list_customers(limit, offset))

    def list_payment_methods(
        self, uuid: str, *, limit: int | None = None, offset: int | None = None
    ) -> list[PaymentMethod]:
        """`GET /v2/customers/{uuid}/payment-methods`."""
        return self.send(Routes.list_payment_methods(uuid, limit, offset))

    def add_payment_method(
        self, uuid: str, *, masked_pan: str, expiration_date: str, token: str, keep_until: str | None = None
    ) -> PaymentMethod:
        """`POST /v2/customers/{uuid}/payment-methods` (extension): attach a tokenised card."""
        card = _card(masked_pan, expiration_date, token, keep_until)
        return self.send(Routes.add_payment_method(uuid, card))

    def remove_payment_method(self, uuid: str, payment_method_id: str) -> Deleted:
        """`DELETE /v2/customers/{uuid}/payment-methods/{id}` (extension)."""
        return self.send(Routes.remove_payment_method(uuid, payment_method_id))

    def list_merchant_payment_methods(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> list[PaymentMethod]:
        """`GET /v2/payment-methods` (extension): every card of the merchant."""
        return self.send(Routes.list_merchant_payment_methods(limit, offset))


class AsyncGatewayClient(_ClientBase):
    """`GatewayClient` for asyncio: the same methods, awaited; `http` is an `httpx.AsyncClient`."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        authenticity_token: str | None = None,
        merchant_key: str | None = None,
        access_token: str | None = None,
        auth: httpx.Auth | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._auth = auth or _auth(authenticity_token, merchant_key, access_token)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def aclose(self) -> None:
        """Close the connections (unless the httpx client was given)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def send(self, call: Call[T]) -> T:
        """Send one Call and read its answer."""
        return read_answer(call, await self._http.request(**self._request_arguments(call)))

    async def fetch_token(
        self, authenticity_token: str, merchant_key: str, scopes: Iterable[str] = DEFAULT_SCOPES
    ) -> AccessToken:
        """`POST /v2/oauth`: trade the merchant's credentials for a Bearer token."""
        return await self.send(Routes.fetch_token(authenticity_token, merchant_key, scopes))

    async def create_customer(self, **fields: Unpack[CustomerFields]) -> Customer:
        """`POST /v2/customers`."""
        return await self.send(Routes.create_customer(fields))

    async def get_customer(self, uuid: str) -> Customer:
        """`GET /v2/customers/{uuid}` (deleted customers too, with `deleted` true)."""
        return await self.send(Routes.get_customer(uuid))

    async def get_customer_by_merchant_customer_id(self, merchant_customer_id: str) -> Customer:
        """`GET /v2/merchants/customers/{merchant_customer_id}` (live customers only)."""
        return await self.send(Routes.get_customer_by_merchant_customer_id(merchant_customer_id))

    async def update_customer(self, uuid: str, **fields: Unpack[CustomerFields]) -> Customer:
        """`POST /v2/customers/{uuid}`: only the fields given; `None` keeps a value, `""` clears it."""
        return await self.send(Routes.update_customer(uuid, fields))

    async def delete_customer(self, uuid: str) -> Deleted:
        """`DELETE /v2/customers/{uuid}` (soft; repeating it answers the same)."""
        return await self.send(Routes.delete_customer(uuid))

    async def list_customers(self, *, limit: int | None = None, offset: int | None = None) -> list[Customer]:
        """`GET /v2/customers`: live customers, newest first."""
        return await self.send(Routes.list_customers(limit, offset))

    async def list_payment_methods(
        self, uuid: str, *, limit: int | None = None, offset: int | None = None
    ) -> list[PaymentMethod]:
        """`GET /v2/customers/{uuid}/payment-methods`."""
        return await self.send(Routes.list_payment_methods(uuid, limit, offset))

    async def add_payment_method(
        self, uuid: str, *, masked_pan: str, expiration_date: str, token: str, keep_until: str | None = None
    ) -> PaymentMethod:
        """`POST /v2/customers/{uuid}/payment-methods` (extension): attach a tokenised card."""
        card = _card(masked_pan, expiration_date, token, keep_until)
        return await self.send(Routes.add_payment_method(uuid, card))

    async def remove_payment_method(self, uuid: str, payment_method_id: str) -> Deleted:
        """`DELETE /v2/customers/{uuid}/payment-methods/{id}` (extension)."""
        return await self.send(Routes.remove_payment_method(uuid, payment_method_id))

    async def list_merchant_payment_methods(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> list[PaymentMethod]:
        """`GET /v2/payment-methods` (extension): every card of the merchant."""
        return await self.send(Routes.list_merchant_payment_methods(limit, offset))
