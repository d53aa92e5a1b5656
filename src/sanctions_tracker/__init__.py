"""Sanctions Diplomacy Tracker: engagements, sanctions rounds and the sectors they target."""

__version__ = "0.1.0"
