"""Development and test tooling: embedded engines, the local stack (`make run`), the test fixtures.

A package of its own (platform-devstack) so that no image carries it: services never import it.
"""
