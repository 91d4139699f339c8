"""Model picker rows show a model's name and id as the service sent them, never as markup."""

from __future__ import annotations

from hostile import MARKUP
from textual.app import App, ComposeResult
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.api.domain import ModelOption
from tui.app.widgets.model_picker import model_prompt


class PickerRows(App[None]):
    def compose(self) -> ComposeResult:
        yield OptionList(*(Option(model_prompt(ModelOption(id=f"org/{n}", display_name=n))) for n in MARKUP))


async def test_model_rows_show_hostile_names_literally() -> None:
    app = PickerRows()
    async with app.run_test(size=(160, len(MARKUP) + 2)):
        rows = app.query_one(OptionList)
        for index, name in enumerate(MARKUP):
            strip = rows.render_line(index)
            assert strip.text.startswith(f"{name}  org/{name}"), name
            assert not [s for s in strip if s.style is not None and ("@click" in s.style.meta or s.style.link)]
