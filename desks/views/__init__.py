"""The desk pages, split by topic: sessions.py (calendar, hub, sheet), screenings.py, routes.py."""
