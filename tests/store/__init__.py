"""Tests of the offline store (snx_desktop.store)."""
