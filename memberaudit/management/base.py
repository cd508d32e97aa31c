"""What all Member Audit commands share: asking before work and reporting progress."""

from django.core.management.base import BaseCommand, CommandParser


class MemberAuditCommand(BaseCommand):
    """A command that asks for confirmation unless ``--noinput`` is given."""

    def add_noinput_argument(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation (for scripts).",
        )

    def confirm(self, options: dict, question: str) -> bool:
        """Ask ``question``; only an explicit yes goes on. Says "Aborted." otherwise."""
        if not options.get("interactive", True):
            return True
        answer = input(f"{question} [y/N] ").strip().lower()
        if answer in ("y", "yes"):
            return True
        self.stdout.write(self.style.WARNING("Aborted. Nothing was changed."))
        return False


class Progress:
    """Writes "<verb> n/total" about ten times over a long loop, and at its end."""

    def __init__(self, command: BaseCommand, total: int, verb: str) -> None:
        self.command = command
        self.total = total
        self.verb = verb
        self.done = 0
        self.step = max(1, total // 10)

    def advance(self, count: int = 1) -> None:
        before = self.done
        self.done += count
        if self.done == self.total or self.done // self.step != before // self.step:
            self.command.stdout.write(f"{self.verb} {self.done}/{self.total}")
