"""The shared way: settings, database, events, identity, errors, pagination, observability.

Imports nothing from `services/` and holds no domain model.
"""
