"""Sign-in providers that speak plain OAuth 2 with a profile API (Facebook, GitHub)."""
