"""JSON APIs (django-ninja). The kiosk API is mounted by signings/urls/kiosk.py."""
