"""What to type: the help the bot gives on `help`, on a bad argument, and in the AI-app pane."""

from bot.slack.views.blocks import Block, context, escape, section

QUESTION_EXAMPLES = (
    "should we self-host at 500M tokens a month?",
    "we spend $30K a month on OpenAI, which phase are we in?",
    "what do 8M input and 2M output tokens cost on gpt-4o?",
    "10K MAU, half use it daily: how many tokens a month?",
)
SUGGESTED_PROMPTS = (
    {"title": "Should we self-host yet?", "message": "Should we self-host at 500M tokens a month?"},
    {
        "title": "What will it cost?",
        "message": "What do 8M input and 2M output tokens a month cost on gpt-4o?",
    },
    {
        "title": "Which phase are we in?",
        "message": "We spend $30K a month on AI APIs. Which phase are we in?",
    },
    {"title": "Caching savings", "message": "We spend $20K a month. What would 40% cache hits save us?"},
)
"""Shown when someone opens the advisor's pane; the manifest lists the same four."""
COMMAND_HELP = {
    "/breakeven": (
        "API vs self-hosted cost at a monthly token volume, with a chart",
        (
            "/breakeven 500M",
            "/breakeven 2B gpt-5 aws",
            "/breakeven 500M h100 $3.99",
            "/breakeven (opens a form)",
        ),
    ),
    "/aicost": (
        "exact API cost of a month of tokens on a model",
        ("/aicost gpt-4o 8M in 2M out", "/aicost claude-sonnet-4.6 10M", "/aicost gpt-4o-mini 300M"),
    ),
    "/aiphase": ("which of the guide's phases a monthly AI spend is in", ("/aiphase $30K", "/aiphase 8000")),
}


def question_help_blocks() -> list[Block]:
    """What to ask the advisor in a mention or a DM."""
    examples = "\n".join(f"• {escape(example)}" for example in QUESTION_EXAMPLES)
    return [
        section(f"*Ask me about AI infrastructure costs*, for example:\n{examples}"),
        context(
            ["Every number comes from a calculator, with its assumptions. Slash commands: " + _commands()]
        ),
    ]


def command_help_blocks(command: str, problem: str | None = None) -> list[Block]:
    """Help for one slash command, after the problem with what was typed (if any)."""
    purpose, examples = COMMAND_HELP.get(command, ("", ()))
    blocks: list[Block] = []
    if problem:
        blocks.append(section(f":warning: {escape(problem)}"))
    listed = "\n".join(f"• `{escape(example)}`" for example in examples)
    blocks.append(section(f"*{escape(command)}*: {escape(purpose)}. Try:\n{listed}"))
    blocks.append(context(["Other commands: " + _commands(exclude=command)]))
    return blocks


def command_help_text(command: str, problem: str | None = None) -> str:
    """The same help in one line, for notifications."""
    examples = COMMAND_HELP.get(command, ("", ()))[1]
    start = f"{problem}. " if problem else ""
    return start + "Try: " + ", ".join(examples)


def _commands(exclude: str | None = None) -> str:
    return ", ".join(f"`{name}`" for name in COMMAND_HELP if name != exclude)
