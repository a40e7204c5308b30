"""Per-request DataLoaders over the service's batch loads: one statement for a page of customers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable

from strawberry.dataloader import DataLoader

from app.customers.domain import PaymentMethod
from app.customers.service import CustomerService
from app.errors import DomainError

# The GraphQL argument that carries a page size, named in the errors about it.
FIRST_ARGUMENT = "first"
# (internal customer id, first, offset): customers asking for the same page of cards share a batch.
# None means the service's default.
PaymentMethodsKey = tuple[int, int | None, int | None]


BatchLoad = Callable[[list[PaymentMethodsKey]], Awaitable[list[list[PaymentMethod] | BaseException]]]


async def _load_group(
    customers: CustomerService,
    merchant_id: int,
    first: int | None,
    offset: int | None,
    customer_ids: list[int],
) -> dict[int, list[PaymentMethod]] | DomainError:
    """One page of cards for each customer, or the error every one of them gets (e.g. `first` out of
    range)."""
    try:
        return await customers.payment_methods_for_customers(
            merchant_id=merchant_id,
            customer_ids=customer_ids,
            limit=first,
            offset=offset,
            limit_field=FIRST_ARGUMENT,
        )
    except DomainError as error:
        return error


def _grouped(keys: Iterable[PaymentMethodsKey]) -> dict[tuple[int | None, int | None], list[int]]:
    groups: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
    for customer_id, first, offset in keys:
        groups[first, offset].append(customer_id)
    return groups


def payment_methods_batch(customers: CustomerService, *, merchant_id: int) -> BatchLoad:
    """Loads customers' payment methods, one service call per distinct (first, offset) in a batch."""

    async def load(keys: list[PaymentMethodsKey]) -> list[list[PaymentMethod] | BaseException]:
        found: dict[PaymentMethodsKey, list[PaymentMethod] | BaseException] = {}
        for (first, offset), customer_ids in _grouped(keys).items():
            loaded = await _load_group(customers, merchant_id, first, offset, customer_ids)
            for customer_id in customer_ids:
                found[customer_id, first, offset] = (
                    loaded if isinstance(loaded, DomainError) else loaded.get(customer_id, [])
                )
        return [found[key] for key in keys]

    return load


class PaymentMethodsLoader:
    """The per-request payment-methods DataLoader, plus a synchronous look at what it already holds.

    Why: a page primes the loader for all its customers at once (one batch, one statement); each
    customer's `paymentMethods` then reads its list without a coroutine of its own, which was most of
    the cost of a 50-customer page.
    """

    def __init__(self, customers: CustomerService, *, merchant_id: int) -> None:
        self._customers, self._merchant_id = customers, merchant_id
        self._loader: DataLoader[PaymentMethodsKey, list[PaymentMethod]] = DataLoader(
            load_fn=payment_methods_batch(customers, merchant_id=merchant_id)
        )
        self._primed: dict[PaymentMethodsKey, list[PaymentMethod]] = {}

    def load(self, key: PaymentMethodsKey) -> Awaitable[list[PaymentMethod]]:
        """The payment methods for one key, batched with every other load of this tick."""
        return self._loader.load(key)

    async def prime(self, keys: Iterable[PaymentMethodsKey]) -> None:
        """Load many keys in one batch so `loaded` can answer them; errors are left for `load` to raise.

        The service is called directly: going through `load_many` made a future, a gather callback and
        several loop callbacks per customer, a sizeable share of a page's cost.
        """
        primed = self._primed
        wanted = [key for key in dict.fromkeys(keys) if key not in primed]
        for (first, offset), customer_ids in _grouped(wanted).items():
            loaded = await _load_group(self._customers, self._merchant_id, first, offset, customer_ids)
            if isinstance(loaded, DomainError):
                continue
            for customer_id in customer_ids:
                primed[customer_id, first, offset] = loaded.get(customer_id, [])

    def loaded(self, key: PaymentMethodsKey) -> list[PaymentMethod] | None:
        """The list for `key` if a page primed it or a finished load holds it, else None."""
        primed = self._primed.get(key)
        if primed is not None:
            return primed
        future = self._loader.cache_map.get(key)
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return None
        return future.result()
