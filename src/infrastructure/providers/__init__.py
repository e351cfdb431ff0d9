"""Sign-in providers: the registry (registry.py) builds the ones the settings configure, from
the two kinds below it, which do not know each other: OpenID Connect (oidc/: Google, any
discovery document) and plain OAuth 2 with a profile API (oauth2/: Facebook, GitHub). Both
speak the authorization-code flow of code_flow.py."""
