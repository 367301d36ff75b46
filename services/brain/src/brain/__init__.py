"""brain: readings in bulk, stage rules into AI-suggested tasks and alerts, and analytics."""
