"""Sésame's benchmark: a load driver, the two peers it is compared with, the scenarios, and the
performance targets (bench/README.md). Not part of the service: nothing under src/ imports it."""
