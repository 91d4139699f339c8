"""The three top-level panes; each owns its data, workers and bindings."""
