"""What use cases share (sessions, limits, email links, ownership): helpers that run inside a
use case, never a use case of their own. Imports only ports, policy and domain."""
