"""The task bench/throughput.py sends through django-q2 alone: it does nothing, as the probe tasks do."""


def noop(number: int) -> int:
    return number
