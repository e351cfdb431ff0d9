"""Adapters that implement the application's ports: Postgres, argon2, tokens, clock."""
