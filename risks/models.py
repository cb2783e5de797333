"""The risks domain. Its models arrive with their issue; the app is wired now so that the
layout, admin, API router and migrations are in place."""
