"""What the app knows and does without Textual: the endpoint store, the catalogue, costs, formatting, form
models and the chat turn runner. The views in ``tui.app`` only show this and forward the user's keys;
nothing here imports Textual (``tests/test_layers.py`` checks it in a fresh interpreter).
"""
