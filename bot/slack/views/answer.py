"""An answer as Block Kit: headline, the numbers as one compact table, assumptions, short caveats, quotes.

Only the structured parts of an answer reach Slack: calculations' `details` (fixed-width terminal
tables) and long `flags` (which name CLI options) stay in the terminal; Slack gets each flag's
one-line `caveats` form.
"""

from bot.calculations.record import Calculation
from bot.chain.answer import Answer
from bot.slack.views.blocks import Block, context, escape, fit, markdown, section, sections, table, truncate

FEEDBACK_ACTION = "answer_feedback"
"""The action id of the helpful / not-helpful buttons under every answer."""


def answer_blocks(answer: Answer, *, feedback: bool = True, prose: bool = True) -> list[Block]:
    """The answer as at most 50 blocks, every text within Slack's limits.

    Args:
        answer: What the chain returned.
        feedback: Add helpful / not-helpful buttons carrying `answer.answer_id`.
        prose: Include the headline and body; False when they were already streamed.
    """
    blocks: list[Block] = []
    if answer.notice:
        blocks.append(context([f":warning: {escape(answer.notice)}"]))
    headline_quote = next((quote for quote in answer.quotes if quote.text == answer.headline), None)
    headline = f"*{escape(answer.headline)}*" if answer.headline else ""
    if headline_quote is not None:
        headline += f"\n_{escape(headline_quote.section)}_"
    if headline and prose:
        blocks.append(section(headline))
    if answer.body and prose:
        blocks += markdown(answer.body)
    rows = _figure_rows(answer.calculations)
    if rows:
        blocks.append(table(rows))
    for calculation in answer.calculations:
        blocks += _calculation_blocks(calculation, repeat_summary=calculation.summary != answer.headline)
    others = [quote for quote in answer.quotes if quote.text != answer.headline]
    if others:
        text = "\n".join(f">{escape(quote.text)}\n>_{escape(quote.section)}_" for quote in others)
        blocks += sections(text)
    if answer.notes:
        blocks.append(context([escape(note) for note in answer.notes]))
    tail: list[Block] = []
    cited = list(dict.fromkeys(_cited(answer)))
    if cited:
        tail.append(context([truncate("Sources: " + " · ".join(escape(name) for name in cited), 2000)]))
    if feedback and answer.answer_id:
        tail.append(feedback_block(answer.answer_id))
    return fit(blocks, tail)


def answer_notification(answer: Answer) -> str:
    """The plain `text` sent with the blocks: what notifications and screen readers show.

    Slack reads this text as mrkdwn too, so it is escaped like the blocks: a model's `<!channel>`
    must not ping a channel.
    """
    return truncate(escape(answer.headline or answer.text), 300)


def feedback_block(answer_id: str) -> Block:
    """Helpful / not-helpful buttons whose values carry the answer's id."""
    return {
        "type": "context_actions",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": FEEDBACK_ACTION,
                "positive_button": {
                    "text": {"type": "plain_text", "text": "Helpful"},
                    "accessibility_label": "This answer was helpful",
                    "value": f"{answer_id}:helpful",
                },
                "negative_button": {
                    "text": {"type": "plain_text", "text": "Not helpful"},
                    "accessibility_label": "This answer was not helpful",
                    "value": f"{answer_id}:not-helpful",
                },
            }
        ],
    }


def parse_feedback(value: str) -> tuple[str, bool] | None:
    """The answer id and whether it helped, from a feedback button's value; None if it is not ours."""
    answer_id, _, verdict = value.rpartition(":")
    if not answer_id or verdict not in {"helpful", "not-helpful"}:
        return None
    return answer_id, verdict == "helpful"


def _figure_rows(calculations: tuple[Calculation, ...]) -> list[tuple[str, str]]:
    """Every calculation's figures as one table (Slack allows one table a message)."""
    rows: list[tuple[str, str]] = []
    for calculation in calculations:
        rows += [(figure.label, figure.value) for figure in calculation.figures]
    return rows


def _calculation_blocks(calculation: Calculation, *, repeat_summary: bool) -> list[Block]:
    blocks: list[Block] = []
    if repeat_summary:
        blocks.append(section(escape(calculation.summary)))
    actions = calculation.result.get("actions") if calculation.tool == "phase" else None
    if actions:
        section_name = calculation.result.get("section")
        title = f"*What the guide recommends now* (_{escape(str(section_name))}_)" if section_name else ""
        blocks += sections("\n".join([title, *(f"• {escape(str(action))}" for action in actions)]).strip())
    if calculation.assumptions:
        lines = "; ".join(f"{item.name}: {item.value}" for item in calculation.assumptions)
        blocks.append(context([f"*Assumptions:* {escape(lines)}"]))
    for caveat in calculation.caveats:
        blocks.append(context([f":information_source: {escape(caveat)}"]))
    return blocks


def _cited(answer: Answer) -> list[str]:
    sections_quoted = [quote.section for quote in answer.quotes]
    sources = [
        source.section + (f" > {source.subsection}" if source.subsection else "") for source in answer.sources
    ]
    return sections_quoted + [name for name in sources if name not in sections_quoted]
