"""Tests for fedi/federation."""
