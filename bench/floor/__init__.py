"""The floor of bench/kiosk_vs_floor.py: a bare Django view that decodes the PNG of a kiosk
submission and inserts one row. Mounted only by bench.floor.settings, never by pakta.urls."""
