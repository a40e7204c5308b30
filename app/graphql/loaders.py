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


def payment_methods_batch(customers: CustomerService, *, merchant_id: int) -> BatchLoad:
    """Loads customers' payment methods, one service call per distinct (first, offset) in a batch."""

    async def load(keys: list[PaymentMethodsKey]) -> list[list[PaymentMethod] | BaseException]:
        groups: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
        for customer_id, first, offset in keys:
            groups[first, offset].append(customer_id)
        found: dict[PaymentMethodsKey, list[PaymentMethod] | BaseException] = {}
        for (first, offset), customer_ids in groups.items():
            try:
                by_customer = await customers.payment_methods_for_customers(
                    merchant_id=merchant_id,
                    customer_ids=customer_ids,
                    limit=first,
                    offset=offset,
                    limit_field=FIRST_ARGUMENT,
                )
            except DomainError as error:  # e.g. `first` out of range: every key of the group gets it
                found.update({(customer_id, first, offset): error for customer_id in customer_ids})
                continue
            found.update(
                {
                    (customer_id, first, offset): by_customer.get(customer_id, [])
                    for customer_id in customer_ids
                }
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
        self._batch = payment_methods_batch(customers, merchant_id=merchant_id)
        self._loader: DataLoader[PaymentMethodsKey, list[PaymentMethod]] = DataLoader(load_fn=self._batch)
        self._primed: dict[PaymentMethodsKey, list[PaymentMethod]] = {}

    def load(self, key: PaymentMethodsKey) -> Awaitable[list[PaymentMethod]]:
        """The payment methods for one key, batched with every other load of this tick."""
        return self._loader.load(key)

    async def prime(self, keys: Iterable[PaymentMethodsKey]) -> None:
        """Load many keys in one batch so `loaded` can answer them; errors are left for `load` to raise.

        The batch function is called directly: going through `load_many` made a future, a gather
        callback and several loop callbacks per customer, a sizeable share of a page's cost.
        """
        wanted = [key for key in dict.fromkeys(keys) if key not in self._primed]
        if not wanted:
            return
        for key, result in zip(wanted, await self._batch(wanted), strict=True):
            if not isinstance(result, BaseException):
                self._primed[key] = result

    def loaded(self, key: PaymentMethodsKey) -> list[PaymentMethod] | None:
        """The list for `key` if a page primed it or a finished load holds it, else None."""
        primed = self._primed.get(key)
        if primed is not None:
            return primed
        future = self._loader.cache_map.get(key)
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return None
        return future.result()
