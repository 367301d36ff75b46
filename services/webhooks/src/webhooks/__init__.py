"""webhooks: the platform's events delivered to users' URLs, signed; and the platform metrics."""
