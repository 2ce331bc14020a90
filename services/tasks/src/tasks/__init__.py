"""The tasks service: per-user todo tasks behind locally checked access tokens."""
