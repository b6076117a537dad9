"""The ncap command line."""
