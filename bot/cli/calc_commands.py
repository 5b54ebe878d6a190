"""Calculator commands: breakeven, cost, tokens, phase, savings."""

import argparse
from typing import Any

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.calculations.cost import CostRequest, run_cost
from bot.calculations.phase import run_phase
from bot.calculations.savings import run_savings
from bot.calculations.usage import UsageRequest, run_tokens
from bot.cli.output import emit
from bot.cli.parsing import given, quantity, share, whole
from calculators.errors import InvalidInputError
from knowledge.tables import tables


def register(commands: Any) -> None:
    """Add the calculator commands to the `advisor` parser."""
    _breakeven(commands)
    _cost(commands)
    _tokens(commands)
    _phase(commands)
    _savings(commands)


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _breakeven(commands: Any) -> None:
    parser = commands.add_parser(
        "breakeven",
        help="API vs self-hosted cost at a monthly volume, and the break-even volume",
        description=(
            "Compare the API and self-hosted monthly cost. With no options besides --tokens this is the guide's "
            "break-even framework: $0.015/1K, RunPod H100 at $2.69/h x 730 h, ~167M tokens per GPU-month, ops "
            "hours 20/30/40 at 100M/500M/2B (interpolated) at $50/h. Every default in use is printed."
        ),
    )
    parser.add_argument("--tokens", type=quantity, required=True, help="monthly tokens, e.g. 500M")
    api = parser.add_argument_group("API side (default: the guide's $0.015/1K)")
    api.add_argument("--model", help="price at this model's list prices, e.g. gpt-4o")
    api.add_argument(
        "--api-price", type=quantity, metavar="USD_PER_1K", help="blended API price per 1K tokens"
    )
    api.add_argument(
        "--input-share", type=share, help="share of tokens that are input, e.g. 80%% (exact pricing)"
    )
    gpu = parser.add_argument_group("self-hosted side (default: RunPod H100, guide throughput)")
    gpu.add_argument("--gpu", help="GPU offer from the price table, e.g. runpod-h100, lambda-h100, aws-h100")
    gpu.add_argument("--gpu-hourly", type=quantity, metavar="USD", help="GPU rental per hour (x 730 h)")
    gpu.add_argument(
        "--gpu-monthly", type=quantity, metavar="USD", help="GPU cost per month, e.g. the guide's 1963"
    )
    gpu.add_argument(
        "--tokens-per-gpu", type=quantity, metavar="N", help="tokens one GPU serves a month, e.g. 167M"
    )
    gpu.add_argument(
        "--throughput", type=quantity, metavar="TOKENS_PER_S", help="measured tokens per second per GPU"
    )
    gpu.add_argument("--utilisation", type=share, help="share of the month the GPU is busy (default 50%%)")
    gpu.add_argument("--profile", help="throughput profile from the data table, e.g. llama-3.1-8b-fp8-vllm")
    gpu.add_argument("--spare-gpus", type=whole, default=0, help="extra GPUs for redundancy")
    people = parser.add_argument_group("operations")
    people.add_argument("--ops-hours", type=quantity, help="ops hours a month (default grows with volume)")
    people.add_argument("--ops-rate", type=quantity, metavar="USD", help="cost of an ops hour (default $50)")
    people.add_argument("--engineers", type=quantity, default=None, help="dedicated engineers, e.g. 1.5")
    people.add_argument(
        "--engineer-cost", type=quantity, metavar="USD", help="per engineer a year (default $150K)"
    )
    people.add_argument("--fixed", type=quantity, metavar="USD", help="other fixed infrastructure a month")
    _json_flag(parser)
    parser.set_defaults(handler=_run_breakeven)


def _run_breakeven(args: argparse.Namespace) -> int:
    _refuse_ignored_options(args)
    request = BreakEvenRequest(
        tokens=args.tokens,
        model=args.model,
        api_price_per_1k=args.api_price,
        input_share=args.input_share,
        gpu=args.gpu,
        gpu_hourly=args.gpu_hourly,
        gpu_monthly=args.gpu_monthly,
        tokens_per_gpu=args.tokens_per_gpu,
        tokens_per_second=args.throughput,
        utilisation=args.utilisation,
        profile=args.profile,
        ops_hours=args.ops_hours,
        ops_rate=args.ops_rate,
        spare_gpus=args.spare_gpus,
        **given(engineers=args.engineers, engineer_annual_cost=args.engineer_cost, fixed_monthly=args.fixed),
    )
    emit(run_breakeven(request, tables()), args.json)
    return 0


def _refuse_ignored_options(args: argparse.Namespace) -> None:
    """Every option is applied or refused: an unknown profile, or one the others would silently override.

    Raises:
        InvalidInputError: names the options and what to type instead.
    """
    known = tables()
    if args.profile is not None and args.profile not in {profile.name for profile in known.profiles}:
        names = ", ".join(profile.name for profile in known.profiles)
        raise InvalidInputError(f"no throughput profile {args.profile!r}: use --profile with one of {names}")
    if args.gpu_hourly is not None and args.gpu_monthly is not None:
        raise InvalidInputError("give either --gpu-hourly or --gpu-monthly, not both")
    if args.input_share is not None and args.model is None:
        raise InvalidInputError(
            "--input-share splits a model's input and output prices: give --model too, e.g. --model gpt-4o"
        )
    if args.utilisation is not None and args.throughput is None:
        profile = known.profile(args.profile or known.framework.throughput_profile)
        if args.tokens_per_gpu is not None or profile.tokens_per_gpu_month is not None:
            raise InvalidInputError(
                "--utilisation applies to a throughput in tokens per second: give --throughput too, "
                "e.g. --throughput 2500"
            )


def _cost(commands: Any) -> None:
    parser = commands.add_parser(
        "cost",
        help="monthly API cost of a model, exact from input and output tokens",
        description="Exact with --input/--output (or --tokens with --input-share); blended, and labelled so, "
        "with --tokens alone or --api-price.",
    )
    parser.add_argument("--model", help="model name, e.g. gpt-4o, claude-sonnet-4.6, gpt-4o-mini")
    parser.add_argument("--input", type=quantity, help="input tokens a month, e.g. 8M")
    parser.add_argument("--output", type=quantity, help="output tokens a month, e.g. 2M")
    parser.add_argument("--tokens", type=quantity, help="total tokens a month when the split is unknown")
    parser.add_argument("--input-share", type=share, help="share of --tokens that is input, e.g. 80%%")
    parser.add_argument(
        "--api-price", type=quantity, metavar="USD_PER_1K", help="a blended rate instead of a model"
    )
    parser.add_argument(
        "--cached-share", type=share, default=None, help="share of input served from prompt cache"
    )
    parser.add_argument(
        "--batch-share", type=share, default=None, help="share of traffic sent via the Batch API"
    )
    _json_flag(parser)
    parser.set_defaults(handler=_run_cost)


def _run_cost(args: argparse.Namespace) -> int:
    request = CostRequest(
        model=args.model,
        input_tokens=args.input,
        output_tokens=args.output,
        tokens=args.tokens,
        input_share=args.input_share,
        api_price_per_1k=args.api_price,
        **given(cached_input_share=args.cached_share, batch_share=args.batch_share),
    )
    emit(run_cost(request, tables()), args.json)
    return 0


def _tokens(commands: Any) -> None:
    parser = commands.add_parser(
        "tokens",
        help="monthly tokens from users and usage (the guide's question 1)",
        description="Defaults are the guide's: 50%% of users active daily, 1 interaction, 50 in + 500 out, 30 days.",
    )
    parser.add_argument("--users", type=quantity, required=True, help="monthly active users, e.g. 10K")
    parser.add_argument("--active-share", type=share, help="share active each day (default 50%%)")
    parser.add_argument("--per-day", type=quantity, default=None, help="interactions per active user a day")
    parser.add_argument("--input", type=quantity, help="input tokens per interaction (default 50)")
    parser.add_argument("--output", type=quantity, help="output tokens per interaction (default 500)")
    parser.add_argument("--days", type=quantity, default=None, help="days in the month (default 30)")
    _json_flag(parser)
    parser.set_defaults(handler=_run_tokens)


def _run_tokens(args: argparse.Namespace) -> int:
    request = UsageRequest(
        users=args.users,
        active_share=args.active_share,
        input_tokens=args.input,
        output_tokens=args.output,
        **given(interactions_per_day=args.per_day, days=args.days),
    )
    emit(run_tokens(request), args.json)
    return 0


def _phase(commands: Any) -> None:
    parser = commands.add_parser("phase", help="which phase a monthly AI spend is in, and what to do")
    parser.add_argument("--spend", type=quantity, required=True, help="monthly AI spend in USD, e.g. 30K")
    _json_flag(parser)
    parser.set_defaults(handler=lambda args: emit(run_phase(args.spend, tables()), args.json))


def _savings(commands: Any) -> None:
    parser = commands.add_parser("savings", help="what caching and the Batch API save")
    parser.add_argument("--cache-hits", type=share, help="share of requests served from cache, e.g. 40%%")
    parser.add_argument(
        "--hit-cost", type=share, help="a cache hit's cost as a share of normal (default 10%%)"
    )
    parser.add_argument("--batch", type=share, help="share of traffic that can wait for the Batch API")
    parser.add_argument("--batch-discount", type=share, help="Batch API discount (default 50%%)")
    parser.add_argument("--spend", type=quantity, help="monthly spend, to show dollars")
    _json_flag(parser)
    parser.set_defaults(
        handler=lambda args: emit(
            run_savings(
                cache_hit_share=args.cache_hits,
                cache_hit_cost=args.hit_cost,
                batch_share=args.batch,
                batch_discount=args.batch_discount,
                monthly_spend=args.spend,
            ),
            args.json,
        )
    )
