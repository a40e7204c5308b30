"""The customer service on both databases: persistence, soft delete, uniqueness, ordering, paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.customers.domain import CustomerFilter
from app.customers.rules import NullMeans
from app.errors import Conflict, CustomerDeleted, ErrorCode, InvalidInput, NotFound
from app.merchants.repository import Merchant
from app.runtime import Services

CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_1"}


async def test_create_then_get_returns_every_field(services: Services, merchant: Merchant) -> None:
    data = {
        "merchant_customer_id": "m-1",
        "description": "VIP",
        "email": "ann@example.com",
        "name": "Ann",
        "phone": "+1 555",
        "metadata": {"b": "2", "a": "1"},
        "zip_code": "90210",
        "city": "Paris",
        "address": "1 Main St",
        "country": "fr",
    }
    created = await services.customers.create(merchant_id=merchant.id, data=data)
    fetched = await services.customers.get(merchant_id=merchant.id, uuid=created.uuid)
    assert fetched == created
    assert fetched.country == "FR"
    assert list(fetched.metadata) == ["b", "a"]
    assert not fetched.deleted and fetched.deleted_at is None
    assert fetched.created_at == fetched.updated_at
    assert fetched.created_at.tzinfo is not None


async def test_get_accepts_upper_case_uuid(services: Services, merchant: Merchant) -> None:
    created = await services.customers.create(merchant_id=merchant.id, data={})
    assert (await services.customers.get(merchant_id=merchant.id, uuid=created.uuid.upper())).id == created.id


@pytest.mark.parametrize("uuid", ["nonexistent", "00000000-0000-4000-8000-000000000000", ""])
async def test_unknown_or_malformed_uuid_is_not_found(
    services: Services, merchant: Merchant, uuid: str
) -> None:
    with pytest.raises(NotFound):
        await services.customers.get(merchant_id=merchant.id, uuid=uuid)


async def test_another_merchants_customer_does_not_exist(
    services: Services, merchant: Merchant, other_merchant: Merchant
) -> None:
    created = await services.customers.create(
        merchant_id=merchant.id, data={"merchant_customer_id": "shared"}
    )
    with pytest.raises(NotFound):
        await services.customers.get(merchant_id=other_merchant.id, uuid=created.uuid)
    with pytest.raises(NotFound):
        await services.customers.update(
            merchant_id=other_merchant.id, uuid=created.uuid, data={"name": "x"}, null_means=NullMeans.KEEP
        )
    with pytest.raises(NotFound):
        await services.customers.delete(merchant_id=other_merchant.id, uuid=created.uuid)
    assert (await services.customers.list_customers(merchant_id=other_merchant.id)).items == []
    reused = await services.customers.create(
        merchant_id=other_merchant.id, data={"merchant_customer_id": "shared"}
    )
    assert reused.merchant_customer_id == "shared"


async def test_duplicate_merchant_customer_id_is_a_conflict(services: Services, merchant: Merchant) -> None:
    await services.customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "dup"})
    with pytest.raises(Conflict) as caught:
        await services.customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "dup"})
    assert caught.value.field_errors[0].field == "merchant_customer_id"
    assert caught.value.field_errors[0].code is ErrorCode.ALREADY_EXISTS


async def test_update_to_a_taken_merchant_customer_id_is_a_conflict(
    services: Services, merchant: Merchant
) -> None:
    await services.customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "taken"})
    other = await services.customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "mine"})
    with pytest.raises(Conflict):
        await services.customers.update(
            merchant_id=merchant.id,
            uuid=other.uuid,
            data={"merchant_customer_id": "taken"},
            null_means=NullMeans.KEEP,
        )
    assert (
        await services.customers.get(merchant_id=merchant.id, uuid=other.uuid)
    ).merchant_customer_id == "mine"


async def test_update_changes_only_what_is_given(services: Services, merchant: Merchant) -> None:
    created = await services.customers.create(
        merchant_id=merchant.id, data={"name": "Ann", "city": "Paris", "metadata": {"a": "1", "b": "2"}}
    )
    updated = await services.customers.update(
        merchant_id=merchant.id,
        uuid=created.uuid,
        data={"name": None, "city": "", "email": "ann@example.com", "metadata": {"a": None, "c": "3"}},
        null_means=NullMeans.KEEP,
    )
    assert updated.name == "Ann"
    assert updated.city is None
    assert updated.email == "ann@example.com"
    assert updated.metadata == {"b": "2", "c": "3"}
    assert updated.updated_at >= created.updated_at
    assert updated == await services.customers.get(merchant_id=merchant.id, uuid=created.uuid)


async def test_update_with_explicit_null_clears_under_graphql_semantics(
    services: Services, merchant: Merchant
) -> None:
    created = await services.customers.create(
        merchant_id=merchant.id, data={"name": "Ann", "metadata": {"a": "1"}}
    )
    updated = await services.customers.update(
        merchant_id=merchant.id,
        uuid=created.uuid,
        data={"name": None, "metadata": None},
        null_means=NullMeans.CLEAR,
    )
    assert updated.name is None
    assert updated.metadata == {}


async def test_invalid_update_changes_nothing(services: Services, merchant: Merchant) -> None:
    created = await services.customers.create(merchant_id=merchant.id, data={"name": "Ann"})
    with pytest.raises(InvalidInput):
        await services.customers.update(
            merchant_id=merchant.id,
            uuid=created.uuid,
            data={"name": "Bob", "email": "bad"},
            null_means=NullMeans.KEEP,
        )
    assert (await services.customers.get(merchant_id=merchant.id, uuid=created.uuid)).name == "Ann"


async def test_soft_delete(services: Services, merchant: Merchant) -> None:
    created = await services.customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "gone"})
    await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=created.uuid, data=CARD
    )

    deleted = await services.customers.delete(merchant_id=merchant.id, uuid=created.uuid)

    assert deleted.deleted and deleted.deleted_at is not None
    fetched = await services.customers.get(merchant_id=merchant.id, uuid=created.uuid)
    assert fetched.deleted
    assert (await services.customers.list_customers(merchant_id=merchant.id)).items == []
    assert await services.customers.count(merchant_id=merchant.id) == 0
    with pytest.raises(NotFound):
        await services.customers.get_by_merchant_customer_id(
            merchant_id=merchant.id, merchant_customer_id="gone"
        )
    assert (
        await services.customers.list_payment_methods(merchant_id=merchant.id, customer_uuid=created.uuid)
        == []
    )
    assert await services.customers.list_merchant_payment_methods(merchant_id=merchant.id) == []
    with pytest.raises(CustomerDeleted):
        await services.customers.update(
            merchant_id=merchant.id, uuid=created.uuid, data={"name": "x"}, null_means=NullMeans.KEEP
        )
    with pytest.raises(CustomerDeleted):
        await services.customers.add_payment_method(
            merchant_id=merchant.id, customer_uuid=created.uuid, data=CARD
        )
    again = await services.customers.delete(merchant_id=merchant.id, uuid=created.uuid)
    assert again == deleted


async def test_merchant_customer_id_is_free_again_after_delete(
    services: Services, merchant: Merchant
) -> None:
    first = await services.customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "reuse"})
    await services.customers.delete(merchant_id=merchant.id, uuid=first.uuid)
    second = await services.customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "reuse"})
    found = await services.customers.get_by_merchant_customer_id(
        merchant_id=merchant.id, merchant_customer_id="reuse"
    )
    assert found.uuid == second.uuid != first.uuid


async def test_list_is_newest_first_with_ties_broken_by_newest_insert(
    services: Services, merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    instant = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    monkeypatch.setattr("app.customers.service.utc_now", lambda: instant)
    tied = [
        await services.customers.create(merchant_id=merchant.id, data={"name": f"t{i}"}) for i in range(3)
    ]
    monkeypatch.setattr("app.customers.service.utc_now", lambda: instant + timedelta(seconds=1))
    newest = await services.customers.create(merchant_id=merchant.id, data={"name": "new"})
    monkeypatch.setattr("app.customers.service.utc_now", lambda: instant - timedelta(seconds=1))
    oldest = await services.customers.create(merchant_id=merchant.id, data={"name": "old"})

    page = await services.customers.list_customers(merchant_id=merchant.id)

    assert [c.name for c in page.items] == ["new", "t2", "t1", "t0", "old"]
    assert page.items[0].uuid == newest.uuid and page.items[-1].uuid == oldest.uuid
    assert [c.uuid for c in page.items[1:4]] == [c.uuid for c in reversed(tied)]


async def test_offset_paging_and_has_next(services: Services, merchant: Merchant) -> None:
    for i in range(5):
        await services.customers.create(merchant_id=merchant.id, data={"name": f"c{i}"})
    first = await services.customers.list_customers(merchant_id=merchant.id, limit="2", offset="0")
    second = await services.customers.list_customers(merchant_id=merchant.id, limit="2", offset="2")
    last = await services.customers.list_customers(merchant_id=merchant.id, limit="2", offset="4")
    beyond = await services.customers.list_customers(merchant_id=merchant.id, limit="2", offset="10")
    assert [c.name for c in first.items + second.items + last.items] == ["c4", "c3", "c2", "c1", "c0"]
    assert (first.has_next, second.has_next, last.has_next) == (True, True, False)
    assert beyond.items == [] and not beyond.has_next


async def test_keyset_cursor_walks_every_customer_once_even_with_ties(
    services: Services, merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.customers.pagination import encode_cursor

    instant = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(7):
        moment = instant + timedelta(seconds=i // 3)
        monkeypatch.setattr("app.customers.service.utc_now", lambda moment=moment: moment)
        await services.customers.create(merchant_id=merchant.id, data={"name": f"c{i}"})
    seen: list[str] = []
    after = None
    while True:
        page = await services.customers.list_customers(merchant_id=merchant.id, limit=2, after=after)
        seen += [c.name or "" for c in page.items]
        if not page.has_next:
            break
        after = encode_cursor(page.items[-1])
    assert seen == [f"c{i}" for i in reversed(range(7))]


async def test_bad_cursor_is_invalid_input(services: Services, merchant: Merchant) -> None:
    for cursor in ["garbage!", "bm90LWEtY3Vyc29y", ""]:
        with pytest.raises(InvalidInput) as caught:
            await services.customers.list_customers(merchant_id=merchant.id, after=cursor)
        assert caught.value.field_errors[0].code is ErrorCode.INVALID_CURSOR


async def test_filters(services: Services, merchant: Merchant) -> None:
    ann = await services.customers.create(
        merchant_id=merchant.id,
        data={"name": "Ann 100%_Smith", "email": "ann@example.com", "merchant_customer_id": "a"},
    )
    await services.customers.create(merchant_id=merchant.id, data={"name": "Bob", "email": "bob@example.com"})

    async def names(customer_filter: CustomerFilter) -> list[str | None]:
        page = await services.customers.list_customers(
            merchant_id=merchant.id, customer_filter=customer_filter
        )
        assert await services.customers.count(
            merchant_id=merchant.id, customer_filter=customer_filter
        ) == len(page.items)
        return [c.name for c in page.items]

    assert await names(CustomerFilter(email="ann@example.com")) == [ann.name]
    assert await names(CustomerFilter(merchant_customer_id="a")) == [ann.name]
    assert await names(CustomerFilter(name_contains="smith")) == [ann.name]
    assert await names(CustomerFilter(name_contains="100%_")) == [ann.name]
    assert await names(CustomerFilter(name_contains="%")) == [ann.name]
    assert await names(CustomerFilter(created_after=ann.created_at - timedelta(seconds=1))) == [
        "Bob",
        ann.name,
    ]
    assert await names(CustomerFilter(created_before=ann.created_at)) == []


async def test_payment_methods_attach_list_and_remove(services: Services, merchant: Merchant) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={})
    first = await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
    )
    second = await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, data={**CARD, "expiration_date": "01/20"}
    )
    listed = await services.customers.list_payment_methods(
        merchant_id=merchant.id, customer_uuid=customer.uuid
    )
    assert [pm.id for pm in listed] == [second.id, first.id]
    assert listed[0].expired and not listed[1].expired
    assert listed[1].customer_uuid == customer.uuid
    await services.customers.remove_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, payment_method_id=first.id
    )
    with pytest.raises(NotFound):
        await services.customers.remove_payment_method(
            merchant_id=merchant.id, customer_uuid=customer.uuid, payment_method_id=first.id
        )
    assert [
        pm.id for pm in await services.customers.list_merchant_payment_methods(merchant_id=merchant.id)
    ] == [second.id]


async def test_payment_methods_for_many_customers_in_one_call(services: Services, merchant: Merchant) -> None:
    customers = [await services.customers.create(merchant_id=merchant.id, data={}) for _ in range(3)]
    for index, customer in enumerate(customers):
        for _ in range(index):
            await services.customers.add_payment_method(
                merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
            )
    grouped = await services.customers.payment_methods_for_customers(
        merchant_id=merchant.id, customer_ids=[c.id for c in customers], limit=1, offset=0
    )
    assert [len(grouped[c.id]) for c in customers] == [0, 1, 1]
    everything = await services.customers.payment_methods_for_customers(
        merchant_id=merchant.id, customer_ids=[c.id for c in customers], limit=50, offset=1
    )
    assert [len(everything[c.id]) for c in customers] == [0, 0, 1]


async def test_payment_methods_of_another_merchant_stay_hidden(
    services: Services, merchant: Merchant, other_merchant: Merchant
) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={})
    method = await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
    )
    with pytest.raises(NotFound):
        await services.customers.list_payment_methods(
            merchant_id=other_merchant.id, customer_uuid=customer.uuid
        )
    grouped = await services.customers.payment_methods_for_customers(
        merchant_id=other_merchant.id, customer_ids=[customer.id]
    )
    assert grouped == {customer.id: []}
    with pytest.raises(NotFound):
        await services.customers.remove_payment_method(
            merchant_id=other_merchant.id, customer_uuid=customer.uuid, payment_method_id=method.id
        )
