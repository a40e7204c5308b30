"""Per-request DataLoaders over the service's batch loads: one statement for a page of customers."""

from __future__ import annotations

from collections import defaultdict

from strawberry.dataloader import DataLoader

from app.customers.domain import PaymentMethod
from app.customers.service import CustomerService
from app.errors import DomainError

# (internal customer id, first, offset): customers asking for the same page of cards share a batch.
# None means the service's default.
PaymentMethodsKey = tuple[int, int | None, int | None]


def payment_methods_loader(
    customers: CustomerService, *, merchant_id: int
) -> DataLoader[PaymentMethodsKey, list[PaymentMethod]]:
    """Loads customers' payment methods, one service call per distinct (first, offset) in a batch."""

    async def load(keys: list[PaymentMethodsKey]) -> list[list[PaymentMethod] | BaseException]:
        groups: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
        for customer_id, first, offset in keys:
            groups[first, offset].append(customer_id)
        found: dict[PaymentMethodsKey, list[PaymentMethod] | BaseException] = {}
        for (first, offset), customer_ids in groups.items():
            try:
                by_customer = await customers.payment_methods_for_customers(
                    merchant_id=merchant_id, customer_ids=customer_ids, limit=first, offset=offset
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

    return DataLoader(load_fn=load)
