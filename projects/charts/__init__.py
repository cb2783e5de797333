"""Server-rendered SVG charts for schedules (the same markup serves pages and PDF reports)."""
