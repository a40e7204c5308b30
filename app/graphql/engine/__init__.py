"""The GraphQL engine behind /graphql: one interface (`GraphQLEngine.prepare` / `.execute`), two modes.

Where things are: `engine.py` the pipeline and the modes; `documents.py` the parse/validate cache;
`executors.py` the stock and the fast executor; `plans.py` what the fast one may shortcut (and the
`@shortcut` marker resolvers use); `deadline.py` the per-request execution deadline; `_compat.py` the
only module touching private or version-specific names of graphql-core and Strawberry.
"""

from app.graphql.engine.deadline import DEADLINE_CODE
from app.graphql.engine.documents import PreparedDocument
from app.graphql.engine.engine import (
    ALLOWED_OPERATIONS,
    EngineMode,
    GraphQLEngine,
    OperationResult,
    UnrunnableOperation,
    UnsupportedSchema,
)
from app.graphql.engine.plans import NO_SHORTCUT, direct_read, shortcut

__all__ = [
    "ALLOWED_OPERATIONS",
    "DEADLINE_CODE",
    "NO_SHORTCUT",
    "EngineMode",
    "GraphQLEngine",
    "OperationResult",
    "PreparedDocument",
    "UnrunnableOperation",
    "UnsupportedSchema",
    "direct_read",
    "shortcut",
]
