"""The step model's three-way answers (linter/model/steps.py), as its docstrings promise them:
YES when a name is known to reach the container or be read, NO only when every route is
known and none has it, UNKNOWN otherwise; and how supplies combine."""

from __future__ import annotations

import pytest
from steplint.model.steps import Answer, Script, Supply


def test_a_supplied_name_is_yes_whether_or_not_the_supply_is_complete():
    assert Supply(frozenset({"SEED"})).has("SEED") is Answer.YES
    assert Supply(frozenset({"SEED"}), complete=False, unknown_because="env=make()").has("SEED") is Answer.YES


def test_a_missing_name_is_no_only_when_the_supply_is_complete():
    assert Supply(frozenset({"SEED"})).has("MODE") is Answer.NO
    assert Supply.unknown("env=make()").has("MODE") is Answer.UNKNOWN


def test_a_superset_answers_yes_for_its_names_and_no_outside_them():
    supply = Supply(frozenset({"train", "val"}), superset=True)
    assert (supply.has("train"), supply.has("test")) == (Answer.YES, Answer.NO)


@pytest.mark.parametrize("left_complete", [True, False])
@pytest.mark.parametrize("right_complete", [True, False])
def test_combined_supplies_hold_both_and_are_complete_only_when_both_are(left_complete, right_complete):
    left = Supply(frozenset({"A"}), left_complete, "" if left_complete else "left unknown")
    right = Supply(frozenset({"B"}), right_complete, "" if right_complete else "right unknown")
    both = left | right
    assert both.names == {"A", "B"}
    assert both.complete is (left_complete and right_complete)
    assert both.has("C") is (Answer.NO if both.complete else Answer.UNKNOWN)
    reasons = [reason for reason, complete in (("left unknown", left_complete), ("right unknown", right_complete))
               if not complete]
    assert both.unknown_because == (reasons[0] if reasons else "")


@pytest.mark.parametrize(("left", "right"), [(True, False), (False, True), (True, True), (False, False)])
def test_combined_supplies_are_a_superset_when_either_is(left, right):
    combined = Supply(frozenset({"a"}), superset=left) | Supply(frozenset({"b"}), superset=right)
    assert combined.superset is (left or right)


def script(env_names=(), reads_all_env=False) -> Script:
    return Script("steps/scripts/train.py", "train.py", (), frozenset(env_names), reads_all_env, ())


def test_a_script_reads_an_env_var_it_names():
    assert script({"SEED"}).reads_env("SEED") is Answer.YES
    assert script({"SEED"}, reads_all_env=True).reads_env("SEED") is Answer.YES


def test_a_script_that_reads_the_whole_environment_may_read_any_name():
    assert script({"SEED"}, reads_all_env=True).reads_env("MODE") is Answer.UNKNOWN
    assert script({"SEED"}).reads_env("MODE") is Answer.NO


def test_an_answer_is_not_a_truth_value():
    with pytest.raises(TypeError):
        bool(Answer.UNKNOWN)
