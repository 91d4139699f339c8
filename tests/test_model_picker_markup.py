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


async def test_recommended_models_come_first_and_say_so() -> None:
    from tests.fakes import FakeProvider
    from tui.app.widgets.model_picker import dedicated_models
    from tui.core.catalog import Catalog

    plain = ModelOption(id="a/alpha", display_name="Alpha", input_price_per_m=0.1, output_price_per_m=0.4)
    chosen = ModelOption(id="z/zeta", display_name="Zeta", recommended=True)
    models = await dedicated_models(Catalog(FakeProvider(models=[plain, chosen])))  # type: ignore[arg-type]
    assert [m.id for m in models] == ["z/zeta", "a/alpha"]
    assert "★ recommended" in model_prompt(chosen).plain and "recommended" not in model_prompt(plain).plain
    assert "serverless $0.10/$0.40 per 1M" in model_prompt(plain).plain


async def test_v2_supported_models_carry_their_recommended_status(start_simulator) -> None:  # type: ignore[no-untyped-def]
    from v2_tools import provider_for, today

    provider = provider_for(today(start_simulator))
    models = await provider.list_models(dedicated_only=True)
    assert {m.id for m in models if m.recommended} == {m.id for m in models if m.id.startswith("openai/")}
    assert any(m.recommended for m in models) and not all(m.recommended for m in models)
    await provider.aclose()
