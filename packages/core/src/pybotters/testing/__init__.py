"""Offline testing kit for bots and exchange plugins (fake exchanges on 127.0.0.1)."""
