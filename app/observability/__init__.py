"""Operations plumbing: request ids, structured logs and Prometheus metrics, wired around the app."""
