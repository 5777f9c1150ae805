"""Domain exceptions: each carries a message written for the person who hit it."""

from __future__ import annotations


class AccountPlanError(Exception):
    """Base for errors a user can hit; `str(error)` is safe to show them."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def public_message(self) -> str:
        """What a person on Slack or the REST API is told; the same as `message` unless that names
        infrastructure (hosts, users, database names) that only operators should see."""
        return self.message


class BadInput(AccountPlanError):
    """The user asked for something malformed; nothing was changed."""

    exit_code = 2


class NotFound(AccountPlanError):
    exit_code = 2


class UnknownCustomer(NotFound):
    """Nobody is named `query`, or several are: `choices` are (customer id, label) to ask about,
    best first (labels are names, with the id when two customers share a name)."""

    def __init__(
        self,
        query: str,
        suggestions: list[str],
        *,
        choices: list[tuple[str, str]] | None = None,
        ambiguous: bool = False,
        more: int = 0,
    ) -> None:
        options = [f"{s!r}" for s in suggestions] + ([f"{more} more"] if more else [])
        listed = " or ".join(options) if len(options) <= 2 else f"{', '.join(options[:-1])} or {options[-1]}"
        if ambiguous:
            message = (
                f"several customers match {query!r}; did you mean {listed}? (the full name or id picks one)"
            )
        elif suggestions:
            message = f"no customer {query!r}; did you mean {listed}?"
        else:
            message = f"no customer {query!r}"
        super().__init__(message)
        self.query = query
        self.suggestions = suggestions
        self.choices = choices if choices is not None else []
        self.ambiguous = ambiguous


class DatabaseUnavailable(AccountPlanError):
    """The database cannot be reached or used. `message` names the URL (without its password) and
    the driver's reason, for the operator at the terminal; people elsewhere get `public_message`."""

    exit_code = 3

    @property
    def public_message(self) -> str:
        return (
            "the plan database is not reachable right now; nothing was changed. "
            "Try again in a minute; if it keeps failing, tell your accountplan admin"
        )


class ImportFailed(AccountPlanError):
    """An all-or-nothing import found bad rows; `errors` are `file:line: column: problem`."""

    exit_code = 2

    def __init__(self, errors: list[str]) -> None:
        shown = "\n".join(errors[:200])
        more = f"\n... and {len(errors) - 200} more" if len(errors) > 200 else ""
        super().__init__(f"import aborted, nothing was written ({len(errors)} problems):\n{shown}{more}")
        self.errors = errors


class Conflict(AccountPlanError):
    """Someone else changed the thing first (stale version, concurrent decision)."""

    exit_code = 4


class PermissionDenied(AccountPlanError):
    exit_code = 5
