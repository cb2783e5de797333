"""collab reads: a discussion's threads (comments.py), activity feeds (feed.py) and attachments (attachments.py)."""
