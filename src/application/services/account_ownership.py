"""Giving an account back to the owner of its address, inside the caller's unit of work.
The rules themselves are domain.ownership's; this is how they reach the repositories."""

from datetime import datetime
from uuid import UUID

from application.ports.persistence import UnitOfWork
from domain import email_links
from domain.clients import ClientInfo
from domain.ownership import Handover, Undo, handover
from domain.users import User

# Ways in that whoever held the account may have prepared: a pending move of the account to
# his own address, and the resetToken a code to his phone gave him.
_PREPARED_WAYS_IN = (email_links.CHANGE_EMAIL, email_links.RESET_TOKEN)


async def hand_over(
    uow: UnitOfWork, user: User, proof: dict[str, str], client: ClientInfo, now: datetime,
    *, password_set_by_proof: bool = False,
) -> Handover | None:
    """Proof of an unverified address (`proof`, as recorded: {"provider": the one that
    vouched} or {"via": "reset_link"}) makes its prover the owner: every session ends; the
    password (unless the proof just set it), every linked provider, the phone number, its
    codes, every passkey, the second factor and any prepared way in go; the address is
    verified. Recorded as `email_verified` (with what was dropped) and, when there
    was one, `password_removed`. None (and nothing done) when the address was proven already."""
    totp = await uow.totp.get(user.id) if user.address_unproven else None
    passkeys = await uow.passkeys.for_user(user.id) if user.address_unproven else []
    plan = handover(user, password_set_by_proof=password_set_by_proof, totp=totp, passkeys=len(passkeys))
    if plan is None:
        return None
    for passkey in passkeys:
        await uow.passkeys.remove(user.id, passkey.id)
    if plan.remove_password:
        await uow.users.set_password_hash(user.id, None)
    if plan.second_factor:
        await _remove_second_factor(uow, user.id)
    for provider in plan.providers:
        await uow.linked_accounts.remove(user.id, provider)
    if plan.phone:
        await uow.users.remove_phone(user.id, now)
    await _void_prepared_ways_in(uow, user.id, now)
    revoked = await uow.sessions.revoke_all_for_user(user.id, now, "email_proven")
    await uow.users.mark_email_verified(user.id, now, via=next(iter(proof.values())))
    detail = {**proof, **({"sessionsRevoked": revoked} if revoked else {}), **plan.detail()}
    await uow.events.record(user.id, "email_verified", detail, now, client)
    if plan.remove_password:
        await uow.events.record(user.id, "password_removed", proof, now, client)
    return plan


async def take_back(uow: UnitOfWork, user: User, plan: Undo, now: datetime) -> Undo:
    """Undo what a "not you?" click found added since its event (domain.ownership.undo_since):
    unlink those providers, remove that phone number and those passkeys, turn that TOTP off,
    cancel a pending email change and put back the address the notice went to (verified by the click; not when another account has
    taken it since). Answers what was really undone."""
    for provider in plan.providers:
        await uow.linked_accounts.remove(user.id, provider)
    if plan.phone:
        await uow.users.remove_phone(user.id, now)
    if plan.second_factor:
        await _remove_second_factor(uow, user.id)
    for passkey_id in plan.passkeys:
        await uow.passkeys.remove(user.id, passkey_id)
    cancelled = await _void_prepared_ways_in(uow, user.id, now)
    restore = plan.restore_email
    if restore is not None:
        holder = await uow.users.by_email(restore)
        if holder is not None and holder.id != user.id:
            restore = None
        else:
            await uow.users.change_email(user.id, restore, now)
            await void_old_email_links(uow, user.id, now)
    return Undo(plan.providers, plan.phone, restore, cancelled, plan.second_factor, plan.passkeys)


async def void_old_email_links(uow: UnitOfWork, user_id: UUID, now: datetime) -> None:
    """An email change voids the reset and verification links mailed to the address the
    account just left: whoever reads that mailbox no longer speaks for the account."""
    for purpose in (email_links.PASSWORD_RESET, email_links.VERIFY_EMAIL):
        await uow.email_links.void(user_id, purpose, now)


async def _void_prepared_ways_in(uow: UnitOfWork, user_id: UUID, now: datetime) -> bool:
    """True when an email change was pending (and is now cancelled)."""
    voided = {purpose: await uow.email_links.void(user_id, purpose, now) for purpose in _PREPARED_WAYS_IN}
    await uow.phone_codes.void(user_id, now)
    return voided[email_links.CHANGE_EMAIL] > 0


async def _remove_second_factor(uow: UnitOfWork, user_id: UUID) -> None:
    await uow.totp.remove(user_id)
    await uow.recovery_codes.remove_all(user_id)
