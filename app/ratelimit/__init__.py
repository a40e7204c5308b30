"""Per-merchant rate limits: budgets, the fixed-window rule, in-process and Redis backends.

`rules` holds the policy and the arithmetic, `memory` and `shared` keep the counters (one process, or
Redis for every worker and instance), `limiter` picks a backend from Settings and fails open when Redis
is unreachable, `headers` is the HTTP face of a decision and `errors` the refusal both transports map.
"""
