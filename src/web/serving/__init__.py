"""How `python -m web` serves the app: uvicorn on httptools with our limits and drain on
shutdown (server), the sockets it binds (listeners), the access log's filter (access_log), and
the start-up failure told in one line (lifespan)."""
