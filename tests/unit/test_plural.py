from ui.views import plural


def test_one_learner_is_singular():
    assert plural.count(1, "learner") == "1 learner"
    assert plural.word(1, "has", "have") == "has"


def test_none_and_several_learners_are_plural():
    assert plural.count(0, "learner") == "0 learners"
    assert plural.count(3, "learner") == "3 learners"
    assert plural.word(2, "has", "have") == "have"
