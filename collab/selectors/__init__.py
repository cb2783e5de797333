"""collab reads: a discussion's threads (comments.py) and activity feeds (feed.py)."""
