"""Forked client processes that obey the parent's commands over a pipe.

The benchmarks' clients (kiosks, screens, counters) run in several processes because the
threads of one process share its GIL and one process could not drive the server hard
enough. Each process builds a handler, then answers every command the parent sends with
the handler's reply; None (or a long silence) sends it away. Processes are forked, not
spawned: the parent creates them before it starts any thread, and fork needs no
resource-tracker process (which would outlive the run as a zombie).
"""
from __future__ import annotations

import multiprocessing
from typing import Callable

MAX_COMMANDS = 100_000       # per worker process: a bound, never reached in practice
COMMAND_WAIT = 1_800.0       # a worker waits this long for its next command, then leaves
REPLY_WAIT = 180.0           # the parent waits this long for an answer unless told otherwise


def serve(pipe, make_handler: Callable, index: int) -> None:
    """A worker process: answer each command with make_handler(index)'s reply until told to leave."""
    handler = make_handler(index)
    try:
        for _ in range(MAX_COMMANDS):
            if not pipe.poll(COMMAND_WAIT):
                return
            command = pipe.recv()
            if command is None:
                return
            pipe.send(handler(command))
    finally:
        close = getattr(handler, "close", None)
        if close:
            close()


class Pool:
    """Worker processes, each running the handler that make_handler(index) builds."""

    def __init__(self, processes: int, make_handler: Callable):
        context = multiprocessing.get_context("fork")
        self.pipes, self.procs = [], []
        for index in range(processes):
            parent, child = context.Pipe()
            proc = context.Process(target=serve, args=(child, make_handler, index), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def __len__(self) -> int:
        return len(self.pipes)

    def send(self, commands: list) -> None:
        """Send one command to each process (in order), without waiting."""
        for pipe, command in zip(self.pipes, commands):
            pipe.send(command)

    def replies(self, timeout: float = REPLY_WAIT, count: int | None = None) -> list:
        """Wait for the answer of each process (of the first count) to its last command."""
        answers = []
        for pipe in self.pipes[:count]:
            if not pipe.poll(max(1.0, timeout)):
                raise RuntimeError("a client process did not answer")
            answers.append(pipe.recv())
        return answers

    def ask(self, commands: list, timeout: float = REPLY_WAIT) -> list:
        """Send one command to each process and return their answers."""
        self.send(commands)
        return self.replies(timeout, len(commands))

    def ask_all(self, command, timeout: float = REPLY_WAIT) -> list:
        """Send the same command to every process and return their answers."""
        return self.ask([command] * len(self.pipes), timeout)

    def close(self, grace: float = 30.0) -> None:
        """Tell the processes to leave and wait for them."""
        for pipe in self.pipes:
            try:
                pipe.send(None)
            except OSError:
                pass
        for proc in self.procs:
            proc.join(grace)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)


def shares(count: int, parts: int) -> list[int]:
    """Split count into parts as evenly as possible (the first ones get the remainder)."""
    return [count // parts + (i < count % parts) for i in range(parts)]
