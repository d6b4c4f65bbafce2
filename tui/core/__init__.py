"""Textual-free core: the model, the store, policies, config, formatting."""
