"""The Textual application: screens, panes, widgets and their styles.

Every screen of the app is laid out once when sizes change, not twice (``size_without_second_layout``),
applied on the package's import so that every app and test in a process lays out alike.
"""

from tui.app.widgets.laid_out import size_without_second_layout

size_without_second_layout()
