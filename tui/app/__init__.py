"""The Textual application: the thin App and its controllers."""
