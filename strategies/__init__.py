"""Example strategies to copy from; they run headless and never import the console."""
