"""collab reads: each module brings its own (attachments …)."""
