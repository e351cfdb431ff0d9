"""The composition root, read in the order web.app.create_app runs it: the settings become
the application's policies (policies), an adapter is picked for each port (adapters), and
the use cases are built once from both (use_cases). Only this package, web.app and
web.__main__ know infrastructure; use_cases knows only the ports and policies it is given."""
