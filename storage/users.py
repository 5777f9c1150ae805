"""Users (CSMs, managers, admins) and their REST API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rows_affected
from storage.errors import BadInput, Conflict, NotFound
from storage.models import ApiToken, User, utcnow
from storage.vocabulary import USER_ROLES, Role

TOKEN_PREFIX = "ap_"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if not EMAIL_PATTERN.match(value):
        raise BadInput(f"{email!r} is not an email address")
    return value


def hash_token(token: str) -> str:
    """Tokens are stored as their SHA-256 only; a leaked table does not leak tokens."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def find_user(session: AsyncSession, email: str) -> User | None:
    return (
        await session.execute(select(User).where(func.lower(User.email) == email.strip().lower()))
    ).scalar_one_or_none()


async def get_user(session: AsyncSession, email: str) -> User:
    user = await find_user(session, email)
    if user is None:
        raise NotFound(f"no user {email!r}; `accountplan users list` shows them, `users add` adds one")
    return user


async def find_user_by_slack_id(session: AsyncSession, slack_user_id: str) -> User | None:
    return (
        await session.execute(select(User).where(User.slack_user_id == slack_user_id))
    ).scalar_one_or_none()


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.execute(select(User).order_by(User.role, User.email))).scalars())


async def save_user(
    session: AsyncSession,
    email: str,
    *,
    name: str | None = None,
    role: str = "csm",
    manager_email: str | None = None,
    slack_user_id: str | None = None,
) -> User:
    """Add a user, or update the one with that email (an upsert, like the CSV import). A manager
    must already be a user who approves plans (a manager or an admin)."""
    email = normalize_email(email)
    user_role = Role.parse(role)
    if user_role is None or user_role not in USER_ROLES:
        raise BadInput(f"role must be one of {', '.join(USER_ROLES)}, not {role!r}")
    manager = (await approver(session, email, manager_email)).email if manager_email else None
    if slack_user_id:
        holder = await find_user_by_slack_id(session, slack_user_id)
        if holder is not None and holder.email != email:
            raise Conflict(f"Slack user {slack_user_id} already belongs to {holder.email}")
    user = await find_user(session, email)
    if user is None:
        user = User(email=email, name=name or email.split("@")[0], role=user_role)
        session.add(user)
    else:
        user.role = user_role
        if name:
            user.name = name
    if manager_email is not None:
        user.manager_email = manager
    if slack_user_id is not None:
        user.slack_user_id = slack_user_id or None
    await session.flush()
    return user


async def set_manager(session: AsyncSession, email: str, manager_email: str | None) -> User:
    """Point `email`'s plans at a new approver (or none)."""
    user = await get_user(session, email)
    if manager_email:
        user.manager_email = (await approver(session, user.email, manager_email)).email
    else:
        user.manager_email = None
    await session.flush()
    return user


async def approver(session: AsyncSession, email: str, manager_email: str) -> User:
    """The user `manager_email` names, checked as an approver for `email`: they exist, are not
    `email` themselves, and are a manager or an admin. NotFound or BadInput otherwise."""
    wanted = normalize_email(manager_email)
    if wanted == email.strip().lower():
        raise BadInput("a user cannot be their own manager")
    manager = await find_user(session, wanted)
    if manager is None:
        raise NotFound(
            f"no user {wanted!r} to be the manager; add them first "
            f"(`accountplan users add {wanted} --role manager`)"
        )
    if manager.role not in (Role.MANAGER, Role.ADMIN):
        raise BadInput(f"{manager.email} is a {manager.role}; only managers and admins approve plans")
    return manager


async def remember_slack_id(session: AsyncSession, user: User, slack_user_id: str) -> None:
    """Store a Slack id found through the Slack API, unless another user already holds it."""
    if user.slack_user_id == slack_user_id or await find_user_by_slack_id(session, slack_user_id):
        return
    await session.execute(update(User).where(User.id == user.id).values(slack_user_id=slack_user_id))
    user.slack_user_id = slack_user_id


async def create_token(session: AsyncSession, email: str, *, label: str | None = None) -> str:
    """A new bearer token for `email`; the caller shows it once, only its hash is kept."""
    user = await get_user(session, email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=hash_token(token), user_email=user.email, label=label))
    await session.flush()
    return token


async def user_for_token(session: AsyncSession, token: str) -> User | None:
    """The user a live token belongs to, or None for an unknown or revoked token."""
    row = (
        await session.execute(
            select(User)
            .join(ApiToken, ApiToken.user_email == User.email)
            .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
        )
    ).scalar_one_or_none()
    return row


async def revoke_tokens(session: AsyncSession, email: str) -> int:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.user_email == email, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return rows_affected(result)
