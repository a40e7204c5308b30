"""Text hygiene for GraphQL (SPEC section 3): string literals in the document, variables, operationName.

The decision is `app.text.client_text.is_acceptable`, the same for every text a client sends. Literals are
checked by a validation rule, so the answer is cached with the document like any validation error and
nothing runs. graphql-core's lexer already refuses a raw or escaped lone surrogate as a syntax error
(naming its code point, never echoing it), but `"\\u0000"` and a raw NUL inside a string lex fine.
Variables and operationName are checked per request, before the document is even looked at: a value
that reached a resolver could end up in a database statement, a log line or an error message.

Both refusals carry an `UnacceptableText`, so app/graphql/errors.py formats them as every other domain
error: `extensions.code` BAD_USER_INPUT and `fieldErrors` `[{field, code: "invalid_characters"}]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    ObjectFieldNode,
    StringValueNode,
    ValidationRule,
    VariableDefinitionNode,
)

from app.errors import UnacceptableText
from app.text.client_text import check_text, check_texts, is_acceptable


class AcceptableTextRule(ValidationRule):
    """Refuses string literals (arguments, input object fields, variable defaults, directive arguments)
    holding NUL or a lone surrogate, naming the argument path (`filter.nameContains`)."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._path: list[str] = []

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
        self._path.append(f"${node.variable.name.value}")

    def leave_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
        self._path.pop()

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._path.append(node.name.value)

    def leave_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._path.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        self._path.append(node.name.value)

    def leave_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        self._path.pop()

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if not is_acceptable(node.value):
            error = UnacceptableText.at(".".join(self._path) or "document")
            self.report_error(GraphQLError(error.message, node, original_error=error))


def operation_text_refusal(
    variables: Mapping[str, Any] | None, operation_name: str | None
) -> GraphQLError | None:
    """The error refusing a request whose operationName or variables (any string, at any depth, keys
    included) hold NUL or a lone surrogate; None when they are acceptable."""
    try:
        if operation_name is not None:
            check_text(operation_name, "operationName")
        if variables:
            check_texts(variables, "variables")
    except UnacceptableText as error:
        return GraphQLError(error.message, original_error=error)
    return None
