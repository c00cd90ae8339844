"""Where a build's worker process starts (asxh.cycles.parallel). A spawned process imports
its target's module before Django is set up, so this module imports nothing of Django's."""

from multiprocessing.connection import Connection


def main(job: bytes, part: tuple[int, int], pipe: Connection) -> None:
    import django

    django.setup()
    from asxh.cycles.parallel import work

    work(job, part, pipe)
