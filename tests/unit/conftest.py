import pytest

from idemlab import scenarios, sim


@pytest.fixture
def run_named():
    def run(name, **overrides):
        scenario = scenarios.load(name)
        if overrides:
            scenario = scenarios.apply_overrides(scenario, [(k.replace("__", "."), v) for k, v in overrides.items()])
        return sim.run(scenario)

    return run


@pytest.fixture
def run_toml():
    def run(text):
        return sim.run(scenarios.parse(text, source="<test>"))

    return run
