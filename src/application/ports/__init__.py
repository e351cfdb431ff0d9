"""Ports: what use cases need from the outside world, as typing.Protocol classes.

Adapters and fakes subclass them, so a missing method fails at instantiation.
"""
