"""The one place that talks to AWS (or the embedded simulator)."""
