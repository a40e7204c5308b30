"""Customer and payment-method SQL is defined once, in `app.customers.statements`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
STATEMENTS = APP / "customers" / "statements.py"
# The tables' declaration and the migrations that create them are schema, not statements.
SCHEMA = {APP / "customers" / "models.py", *(APP / "migrations").rglob("*.py")}
TABLE_CLASSES = {"CustomerTable", "PaymentMethodTable"}
SQL_ON_THE_TABLES = re.compile(r"\b(FROM|INTO|UPDATE|JOIN)\s+(customers|payment_methods)\b", re.IGNORECASE)
STATEMENT_BUILDERS = {"select", "insert", "update", "delete", "text", "bindparam", "tuple_"}


def _modules() -> list[Path]:
    return [path for path in APP.rglob("*.py") if path != STATEMENTS and path not in SCHEMA]


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in TABLE_CLASSES:
            found.append(f"uses {node.id}")
        if isinstance(node, ast.ImportFrom) and node.module == "app.customers.models":
            found.append("imports the customer tables")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL_ON_THE_TABLES.search(node.value)
        ):
            found.append(f"holds SQL on the customer tables: {node.value.strip()[:60]!r}")
    return found


def test_no_module_but_statements_builds_customer_sql() -> None:
    offences = {str(path.relative_to(APP)): found for path in _modules() if (found := _offences(path))}

    assert offences == {}


def test_the_customer_data_modules_build_no_statement_of_their_own() -> None:
    for name in ("repository.py", "reads.py", "seed_sql.py", "service.py"):
        tree = ast.parse((APP / "customers" / name).read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
            for alias in node.names
        }
        # `text` wraps the seeder's hand-written statements, which statements.py holds as strings.
        allowed = {"text"} if name == "seed_sql.py" else set()
        assert imported & STATEMENT_BUILDERS <= allowed, name


def test_the_check_sees_a_second_definition(tmp_path: Path) -> None:
    rogue = tmp_path / "rogue.py"
    rogue.write_text(
        'from app.customers.models import CustomerTable\nT = CustomerTable\nSQL = "SELECT 1 FROM customers"\n'
    )

    assert len(_offences(rogue)) == 3
