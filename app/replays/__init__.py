"""Replay protection: a signed (WP3-v2.1) write is accepted once within its timestamp window."""
