"""A persisted query manifest written from a folder of `.graphql` files (the `persisted-manifest` command).

Each named operation becomes one manifest entry whose body is the operation followed by the fragments it
uses (transitively, sorted by name), printed by graphql-core's printer, and whose id is the SHA-256 of
that body, the layout of Apollo's own manifest generator. Anonymous operations are refused: an entry
needs a name, and two files may not define the same operation or fragment name.
"""

from __future__ import annotations

from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from app.persisted.manifest import Manifest, ManifestError, ManifestOperation
from app.persisted.rules import sha256_hex


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spread_names(node: OperationDefinitionNode | FragmentDefinitionNode) -> set[str]:
    spreads = _Spreads()
    visit(node, spreads)
    return spreads.names


def _fragments_used(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    name = operation.name.value if operation.name else "?"
    pending, used = list(_spread_names(operation)), set()
    while pending:
        fragment_name = pending.pop()
        if fragment_name in used:
            continue
        if fragment_name not in fragments:
            raise ManifestError(f"operation {name}: unknown fragment {fragment_name}")
        used.add(fragment_name)
        pending.extend(_spread_names(fragments[fragment_name]))
    return [fragments[fragment_name] for fragment_name in sorted(used)]


def _definitions(directory: Path) -> tuple[list[OperationDefinitionNode], dict[str, FragmentDefinitionNode]]:
    operations: list[OperationDefinitionNode] = []
    fragments: dict[str, FragmentDefinitionNode] = {}
    names: dict[str, Path] = {}
    files = sorted(directory.rglob("*.graphql"))
    if not files:
        raise ManifestError(f"no .graphql files under {directory}")
    for path in files:
        try:
            document = parse(path.read_text(encoding="utf-8"))
        except GraphQLError as error:
            raise ManifestError(f"{path}: {error.message}") from None
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                if definition.name is None:
                    raise ManifestError(f"{path}: every operation needs a name")
                key = definition.name.value
                operations.append(definition)
            elif isinstance(definition, FragmentDefinitionNode):
                key = "fragment " + definition.name.value
                fragments[definition.name.value] = definition
            else:
                raise ManifestError(f"{path}: only operations and fragments belong in a manifest")
            if key in names:
                raise ManifestError(f"{path}: {key} is also defined in {names[key]}")
            names[key] = path
    return operations, fragments


def build_manifest(directory: str | Path) -> Manifest:
    """The manifest of every operation in the folder's `.graphql` files (searched recursively)."""
    operations, fragments = _definitions(Path(directory))
    entries = []
    for operation in sorted(operations, key=lambda node: node.name.value if node.name else ""):
        body = print_ast(DocumentNode(definitions=(operation, *_fragments_used(operation, fragments))))
        name = operation.name.value if operation.name else ""
        digest = sha256_hex(body)
        entries.append(ManifestOperation(digest, name, operation.operation.value, body, digest))
    return Manifest(entries)
