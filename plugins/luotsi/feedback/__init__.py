"""Feedback: the form embedded in the site (build side) and the ASGI service that stores
every message, thanks the sender, notifies staff and lets staff answer (run time)."""
