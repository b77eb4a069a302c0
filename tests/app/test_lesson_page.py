def test_running_the_experiment_needs_a_prediction_then_gives_feedback(open_page):
    at = open_page("pages/lesson.py")
    run = next(b for b in at.button if b.label == "Run the experiment")
    assert run.disabled
    radio = at.radio(key="lesson.1.p")
    radio.set_value(radio.options[1]).run()
    next(b for b in at.button if b.label == "Run the experiment").click().run()
    assert not at.exception
    feedback = [s.value for s in at.success] + [e.value for e in at.error]
    assert any(text.startswith(("Right.", "Not quite")) for text in feedback)
    assert at.query_params["ans"] in ("1.p.1", ["1.p.1"])


def test_presenter_moves_through_slides(open_page):
    at = open_page("pages/presenter.py")
    at.button(key="present.next").click().run()
    assert any("Slide 2 of" in m.value for m in at.markdown)
