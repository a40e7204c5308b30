"""`persisted-manifest DIR [-o FILE]`: an Apollo persisted query manifest from a folder of `.graphql` files.

Every operation is also validated against this server's schema and limits, exactly as start-up will do
with the manifest, so a frontend build fails on a document the server would refuse.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.graphql.documents import TrustedDocumentError, prepare_manifest
from app.graphql.engine import GraphQLEngine
from app.graphql.schema import build_schema
from app.persisted.manifest import ManifestError, load_manifest
from app.persisted.manifest_builder import build_manifest
from app.settings import Settings


def write_manifest(settings: Settings, directory: str, output: str | None) -> str:
    """Build and check the manifest; write it to `output` (returning a summary) or return its JSON."""
    try:
        manifest = build_manifest(directory)
        prepare_manifest(GraphQLEngine(build_schema(), settings), manifest)
    except (ManifestError, TrustedDocumentError) as error:
        raise SystemExit(f"error: {error}") from None
    text = json.dumps(manifest.as_json(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        return text.rstrip("\n")
    Path(output).write_text(text, encoding="utf-8")
    return f"wrote {len(manifest)} operations to {output}"


def trusted_documents_problem(settings: Settings) -> str | None:
    """Why `serve` cannot start with the configured manifest (None when it can, or there is none).

    Checked once before the workers start, so a bad manifest costs one clear line rather than a
    traceback from each worker.
    """
    if not settings.graphql_persisted_documents:
        return None
    try:
        manifest = load_manifest(settings.graphql_persisted_documents)
        prepare_manifest(GraphQLEngine(build_schema(), settings), manifest)
    except (ManifestError, TrustedDocumentError) as error:
        return f"error: {error}"
    return None
