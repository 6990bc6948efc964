"""The offline planner's understanding of the gold set of requests (bench/gold/understanding.yaml)
stays at least this good: each figure has a floor a little below what it reaches today."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "understanding.py"


@pytest.fixture(scope="module")
def score():
    spec = importlib.util.spec_from_file_location("bench_understanding", BENCH)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up by name
    spec.loader.exec_module(bench)
    return bench.score_files([bench.DEFAULT_GOLD])


def test_it_finds_the_records_a_careful_reader_finds(score):
    assert score.entities.f1 >= 0.93


def test_it_makes_few_records_a_careful_reader_would_not(score):
    assert len(score.junk) <= 9


def test_it_finds_the_details_of_each_record_with_their_kinds(score):
    assert score.fields.f1 >= 0.66
    assert score.types_right / score.types_seen >= 0.97


def test_it_links_records_the_right_way_round(score):
    assert score.relations.f1 >= 0.82


def test_it_tells_apps_that_keep_records_from_games_converters_and_tools(score):
    assert score.kinds_right / score.requests >= 0.97
