"""ingest: authenticates master nodes and turns their posts into JetStream readings."""
