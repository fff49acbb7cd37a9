"""Models of the mapping app."""
