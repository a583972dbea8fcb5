"""Notifications that leave the app: channels, preferences, the outbox, reminders, feeds."""
