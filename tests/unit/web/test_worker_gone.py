"""The supervisor of several workers tells who left (the metrics then drop a dead worker's
gauges): a worker that died and was replaced, every worker of a restart (SIGHUP), the one
retired by SIGTTOU; not a worker that is still there."""

from dataclasses import dataclass

from web.serving.server import DrainingMultiprocess


@dataclass
class Worker:
    pid: int


def supervisor(gone: list) -> DrainingMultiprocess:
    """Without its __init__ (which takes the process's signals): only what the step needs."""
    supervising = object.__new__(DrainingMultiprocess)
    supervising.processes = [Worker(11), Worker(12)]
    supervising._on_worker_gone = gone.append
    return supervising


def test_a_replaced_worker_is_told_once():
    gone: list[int] = []
    supervising = supervisor(gone)

    def replace_the_first() -> None:
        supervising.processes[0] = Worker(13)

    supervising._telling_who_left(replace_the_first)
    assert gone == [11]
    supervising._telling_who_left(lambda: None)
    assert gone == [11]


def test_a_restart_tells_every_worker_and_a_retired_one_too():
    gone: list[int] = []
    supervising = supervisor(gone)

    def restart() -> None:
        supervising.processes = [Worker(21), Worker(22)]

    supervising._telling_who_left(restart)
    supervising._telling_who_left(supervising.processes.pop)
    assert sorted(gone) == [11, 12, 22]
