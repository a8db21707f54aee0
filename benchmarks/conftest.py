"""Options of the Python benchmark suite (test_python_queues.py).

  --bench-sizes 1000,10000,...   element counts (default 10^3 .. 10^6)
  --bench-dists uniform,...      rank distributions (default all three)
  --bench-slow-max N             largest size for the pure-Python containers
  --bench-skewed-max N           largest size for skewed ranks
  --bench-smoke                  one tiny size, one round: checks the suite runs
"""

DEFAULT_SIZES = "1000,10000,100000,1000000"


def pytest_addoption(parser):
    group = parser.getgroup("eiffel benchmarks")
    group.addoption("--bench-sizes", default=DEFAULT_SIZES)
    group.addoption("--bench-dists", default="uniform,timelike,skewed")
    group.addoption("--bench-slow-max", type=int, default=100_000)
    # At 10^6 a benchmark takes seconds per round on a shared 2-core machine;
    # uniform and time-like ranks there (the claims level's cases) keep the full run
    # near its 10-minute budget.
    group.addoption("--bench-skewed-max", type=int, default=100_000)
    group.addoption("--bench-smoke", action="store_true")


def pytest_generate_tests(metafunc):
    from bench_contenders import MODES, SLOW

    config = metafunc.config
    if "case" not in metafunc.fixturenames:
        return
    smoke = config.getoption("--bench-smoke")
    sizes = [300] if smoke else [int(float(s)) for s in config.getoption("--bench-sizes").split(",")]
    dists = config.getoption("--bench-dists").split(",")
    slow_max = config.getoption("--bench-slow-max")
    skewed_max = config.getoption("--bench-skewed-max")
    cases, ids = [], []
    for mode, contenders in MODES.items():
        for n in sizes:
            for dist in dists:
                for contender in contenders:
                    if not contender.available or (contender.name in SLOW and n > slow_max):
                        continue
                    if dist == "skewed" and n > skewed_max and not smoke:
                        continue
                    cases.append((mode, dist, n, contender))
                    ids.append(f"{mode}-{dist}-{n}-{contender.name}")
    metafunc.parametrize("case", cases, ids=ids)
