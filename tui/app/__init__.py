"""The Textual application: screens, panes, widgets and their styles."""
