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


def _lesson_one():
    from idemlab.lessons import load_all

    return next(lesson for lesson in load_all() if lesson.number == 1)


def test_the_prediction_locks_when_the_experiment_runs(open_page):
    lesson = _lesson_one()
    wrong = next(i for i in range(len(lesson.prediction.choices)) if i != lesson.prediction.answer)
    at = open_page("pages/lesson.py")
    at.radio(key="lesson.1.p").set_value(lesson.prediction.choices[wrong]).run()
    next(b for b in at.button if b.label == "Run the experiment").click().run()
    assert any(e.value.startswith("Not quite") for e in at.error)
    at.radio(key="lesson.1.p").set_value(lesson.prediction.choices[lesson.prediction.answer]).run()
    assert not at.exception
    answers = at.query_params["ans"]
    answers = answers[0] if isinstance(answers, list) else answers
    assert f"1.p.{wrong}" in answers and f"1.r.{lesson.prediction.answer}" in answers
    assert any("recorded as a second try" in i.value for i in at.info)
    assert any(s.value.startswith("Second try: Right.") for s in at.success)
    assert not any(s.value.startswith("Right.") for s in at.success)  # never a plain "Right" after the fact


def test_after_a_run_the_mail_room_opens_at_the_beginning(open_page):
    import json

    at = open_page("pages/lesson.py")
    radio = at.radio(key="lesson.1.p")
    radio.set_value(radio.options[1]).run()
    next(b for b in at.button if b.label == "Run the experiment").click().run()
    rooms = [json.loads(c.proto.json) for c in at.get("bidi_component")]
    assert len(rooms) == 2  # the analogy's, then the experiment's
    analogy, experiment = rooms
    assert analogy["autoplay"] and not analogy["interactive"]
    assert experiment["start"] == 0 and experiment["interactive"]
    assert len(experiment["events"]) > len(analogy["events"])  # the analogy stops before the answer
    # ... and is the same run, paused: its frames and moments are the run's own
    paused = len(analogy["events"])
    assert analogy["events"] == experiment["events"][:paused]
    assert analogy["frames"] == experiment["frames"][: paused + 1]
    assert analogy["moments"] == [mo for mo in experiment["moments"] if mo["event"] < paused]


def test_a_clicked_fault_in_the_url_reruns_the_lesson_with_it(open_page):
    at = open_page("pages/lesson.py", fault="2:drop_response,3:drop_response")
    at.session_state["lesson.1.ran"] = True
    radio = at.radio(key="lesson.1.p")
    radio.set_value(radio.options[1]).run()
    assert not at.exception
    assert any("You broke this run yourself" in i.value and "3:drop_response" in i.value for i in at.info)
    next(b for b in at.button if b.label == "Back to the lesson's experiment").click().run()
    assert "fault" not in at.query_params


def test_the_apps_own_session_values_pickle(open_page):
    """runner.enforceSerializableSessionState is off (a v2 component's state is an
    unpicklable proxy in Streamlit 1.67); the app's own values must still pickle."""
    import pickle

    for page in ("pages/lesson.py", "pages/playground.py", "pages/home.py"):
        values = open_page(page).session_state._state._state.filtered_state  # AppTest -> SessionState
        assert values
        for key, value in values.items():
            assert pickle.loads(pickle.dumps(value)) is not None or value is None, key


def test_a_refresh_shows_the_run_the_url_says_happened(open_page):
    """Running locks the prediction (`ans=1.p.N`); a new session with that URL, as after a
    refresh, shows the run again without a click (a simulated run is recomputed)."""
    import json

    at = open_page("pages/lesson.py", ans="1.p.1")
    rooms = [json.loads(c.proto.json) for c in at.get("bidi_component")]
    assert len(rooms) == 2 and rooms[1]["interactive"]
    assert any("Not quite" in e.value or "Right." in e.value for e in [*at.error, *at.success])


def test_without_a_run_in_the_url_the_lesson_waits_for_one(open_page):
    at = open_page("pages/lesson.py")
    assert len(at.get("bidi_component")) == 1  # the analogy's preview only


def test_a_real_run_after_a_refresh_is_offered_again_with_one_click_never_started_by_itself(open_page):
    at = open_page("pages/lesson.py", ans="1.p.1", backend="local")
    assert any("not kept when the page reloads" in i.value for i in at.info)
    again = [b for b in at.button if b.label == "Run it on Local Kafka"]
    assert len(again) == 1
    assert not [key for key in at.session_state._state._state.filtered_state if key.startswith("engine.real.")]


def test_the_lesson_done_message_is_in_the_page_with_the_next_lesson_not_a_toast(open_page):
    lesson = _lesson_one()
    answers = ",".join(f"1.c{i}.{check.answer}" for i, check in enumerate(lesson.checks))
    at = open_page("pages/lesson.py", ans=f"1.p.{lesson.prediction.answer},{answers}")
    assert any(s.value == f"Lesson 1 done. All {len(lesson.checks)} checks right." for s in at.success)
    assert not at.toast
    assert any("Next: lesson 2" in str(link.proto.label) for link in at.get("page_link"))


def test_a_lesson_done_with_wrong_checks_says_how_many_were_right_and_which_to_look_at_again(open_page):
    lesson = _lesson_one()
    answers = [
        check.answer if i == 0 else (check.answer + 1) % len(check.choices) for i, check in enumerate(lesson.checks)
    ]
    chosen = ",".join(f"1.c{i}.{answer}" for i, answer in enumerate(answers))
    at = open_page("pages/lesson.py", ans=f"1.p.{lesson.prediction.answer},{chosen}")
    assert not any("done" in s.value for s in at.success)
    assert [i.value for i in at.info if "done" in i.value] == [
        "Lesson 1 done. 1 of 3 checks right: look again at questions 2 and 3."
    ]


def test_the_broker_chosen_next_to_the_run_button_is_the_sidebars_and_goes_in_the_url(open_page):
    at = open_page("pages/lesson.py")
    picker = at.button_group(key="lesson1.backend")
    assert picker.value == "Simulated"
    picker.set_value("Local Kafka").run()
    assert at.radio(key="backend.choice").value == "Local Kafka"
    assert at.query_params["backend"] in ("local", ["local"])
    at.radio(key="backend.choice").set_value("Simulated").run()
    assert at.button_group(key="lesson1.backend").value == "Simulated"
    assert "backend" not in at.query_params


def test_a_lesson_named_by_its_number_in_the_url_opens_that_lesson(open_page):
    at = open_page("pages/lesson.py", lesson="4")
    assert at.title[0].value.startswith("Lesson 4:")
    assert not [w for w in at.warning if "There is no lesson" in w.value]


def test_a_lesson_number_that_does_not_exist_opens_the_first_with_a_notice(open_page):
    at = open_page("pages/lesson.py", lesson="٣")
    assert at.title[0].value.startswith("Lesson 1:")
    assert any("There is no lesson" in w.value for w in [*at.warning, *at.info])


def test_values_the_application_sent_twice_make_the_outcome_a_warning_not_a_success(open_page):
    """Lesson 5: the restarted producer's re-sends are stored again; a consumer reads those
    values twice, so the outcome line must not be a green tick."""
    at = open_page("pages/lesson.py", lesson="where-idempotence-stops", ans="5.p.1")
    outcome = [w.value for w in at.warning if "more than once" in w.value]
    assert outcome, [s.value for s in at.success]
    assert not [s.value for s in at.success if "more than once" in s.value]
