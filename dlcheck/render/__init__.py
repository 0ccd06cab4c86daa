"""Renderers only format a report; they never probe or judge."""
