"""A stateful property test: random sequences of create/update/delete/get/list through CustomerService,
on both databases, compared after every step with a plain in-memory model of the contract."""

from __future__ import annotations

import asyncio
import uuid as uuid_module
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.customers.rules import NullMeans
from app.errors import Conflict, CustomerDeleted, InvalidInput, NotFound
from app.runtime import Services
from app.settings import Settings

MCIDS = st.sampled_from(["a", "b", "c"])  # few, so uniqueness among live customers is exercised
NAMES = st.sampled_from(["Ada", "Grace", "x" * 51])  # the last one breaks the length rule
META_KEYS = st.sampled_from(["k1", "k2"])
CREATE_DATA = st.fixed_dictionaries(
    {},
    optional={
        "merchant_customer_id": MCIDS,
        "name": NAMES,
        "metadata": st.dictionaries(META_KEYS, st.sampled_from(["v", "w"]), max_size=2),
    },
)
UPDATE_DATA = st.fixed_dictionaries(
    {},
    optional={
        "merchant_customer_id": st.one_of(MCIDS, st.none(), st.just("")),
        "name": st.one_of(NAMES, st.none(), st.just("")),
        "metadata": st.dictionaries(META_KEYS, st.one_of(st.none(), st.sampled_from(["v", "w"])), max_size=2),
    },
)


@dataclass
class ModelCustomer:
    """What the contract says a customer is: its fields and whether it is deleted."""

    mcid: str | None = None
    name: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    deleted: bool = False


def _valid_name(value: Any) -> bool:
    return value is None or value == "" or len(value) <= 50


class CustomerMachine(RuleBasedStateMachine):
    """Drives the service of `self.services` as merchant `self.merchant_id`."""

    runner: asyncio.Runner
    services: Services

    customers = Bundle("customers")

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, ModelCustomer] = {}
        self.order: list[str] = []  # creation order: lists are newest first
        merchant = self.run(self.services.merchants.create_merchant(name="Stateful"))
        self.merchant_id = merchant.id

    def run(self, coroutine: Any) -> Any:
        return self.runner.run(coroutine)

    def _live_mcids(self, excluding: str | None = None) -> set[str]:
        return {c.mcid for u, c in self.model.items() if not c.deleted and c.mcid and u != excluding}

    @rule(target=customers, data=CREATE_DATA)
    def create(self, data: dict[str, Any]) -> str:
        mcid = data.get("merchant_customer_id")
        try:
            created = self.run(self.services.customers.create(merchant_id=self.merchant_id, data=data))
        except InvalidInput:
            assert not _valid_name(data.get("name"))
            return str(uuid_module.uuid4())  # a uuid the service never made: later calls must not find it
        except Conflict:
            assert mcid in self._live_mcids()
            return str(uuid_module.uuid4())
        assert _valid_name(data.get("name")) and mcid not in self._live_mcids()
        self.model[created.uuid] = ModelCustomer(mcid, data.get("name"), dict(data.get("metadata", {})))
        self.order.append(created.uuid)
        return created.uuid

    @rule(uuid=customers, data=UPDATE_DATA)
    def update(self, uuid: str, data: dict[str, Any]) -> None:
        current = self.model.get(uuid)
        call = self.services.customers.update(
            merchant_id=self.merchant_id, uuid=uuid, data=data, null_means=NullMeans.KEEP
        )
        try:
            updated = self.run(call)
        except NotFound:
            assert current is None
            return
        except CustomerDeleted:
            assert current is not None and current.deleted
            return
        except InvalidInput:
            assert not _valid_name(data.get("name"))
            return
        except Conflict:
            assert data.get("merchant_customer_id") in self._live_mcids(excluding=uuid)
            return
        assert current is not None and not current.deleted and _valid_name(data.get("name"))
        assert not data.get("merchant_customer_id") or data["merchant_customer_id"] not in self._live_mcids(
            uuid
        )
        for key, attribute in (("merchant_customer_id", "mcid"), ("name", "name")):
            if data.get(key) is not None:
                setattr(current, attribute, data[key] or None)  # "" clears
        for key, value in data.get("metadata", {}).items():
            if value is None:
                current.metadata.pop(key, None)
            else:
                current.metadata[key] = value
        assert (updated.merchant_customer_id, updated.name, updated.metadata) == (
            current.mcid,
            current.name,
            current.metadata,
        )

    @rule(uuid=customers)
    def delete(self, uuid: str) -> None:
        try:
            deleted = self.run(self.services.customers.delete(merchant_id=self.merchant_id, uuid=uuid))
        except NotFound:
            assert uuid not in self.model
            return
        assert deleted.deleted  # deleting again answers the same
        self.model[uuid].deleted = True

    @rule(uuid=customers)
    def get(self, uuid: str) -> None:
        try:
            found = self.run(self.services.customers.get(merchant_id=self.merchant_id, uuid=uuid))
        except NotFound:
            assert uuid not in self.model
            return
        expected = self.model[uuid]
        assert (found.name, found.metadata, found.deleted) == (
            expected.name,
            expected.metadata,
            expected.deleted,
        )

    @rule(limit=st.integers(1, 5), offset=st.integers(0, 6))
    def list_page(self, limit: int, offset: int) -> None:
        page = self.run(
            self.services.customers.list_customers(merchant_id=self.merchant_id, limit=limit, offset=offset)
        )
        live = [uuid for uuid in reversed(self.order) if not self.model[uuid].deleted]
        assert [customer.uuid for customer in page.items] == live[offset : offset + limit]
        assert page.has_next == (len(live) > offset + limit)

    @invariant()
    def live_merchant_customer_ids_are_unique(self) -> None:
        live = [c.mcid for c in self.model.values() if not c.deleted and c.mcid]
        assert len(live) == len(set(live))


STATE_MACHINE_SETTINGS = hypothesis_settings(
    max_examples=50,
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_the_service_behaves_like_the_model(settings: Settings) -> None:
    # Sync test with its own loop: Hypothesis drives the steps, each step runs one coroutine to the end.
    with asyncio.Runner() as runner:
        services = Services.from_settings(settings)
        machine = type("Machine", (CustomerMachine,), {"runner": runner, "services": services})
        try:
            run_state_machine_as_test(machine, settings=STATE_MACHINE_SETTINGS)
        finally:
            runner.run(services.close())
