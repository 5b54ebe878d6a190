"""Errors the calculators raise instead of returning a wrong number."""


class CalculatorError(ValueError):
    """Base class for every calculator error; the message says what to type instead."""


class InvalidInputError(CalculatorError):
    """An input that cannot describe a real workload (negative tokens, zero throughput...)."""


class QuantityError(CalculatorError):
    """Text that does not read as a quantity such as 500M, $30K or 40%."""
