"""The HTTP server: uvicorn options and protocol hardening (head size, deadlines)."""
