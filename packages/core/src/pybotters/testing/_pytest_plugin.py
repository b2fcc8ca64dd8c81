"""pytest plugin registered under ``pytest11``; inert unless its fixtures are used."""
