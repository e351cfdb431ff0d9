"""The HTTP edge: Litestar controllers, msgspec DTOs, cookies, errors, composition root."""
