"""The composition root, read in the order web.app.create_app runs it: an adapter is picked
for each port (adapters), and the use cases are built once from them (use_cases). Only this
package, web.app and web.__main__ know infrastructure."""
