"""docs/api.md states each figure of the rules once, in its "Lifetimes and quotas" table:
the table says what the policies hold."""

import re
from pathlib import Path

from application.policy import (
    AddressLimit, EmailLinkPolicy, FreshnessPolicy, LoginLimits, PhoneCodePolicy, ProviderFlowPolicy,
    RecoveryPolicy, SecondFactorPolicy,
)
from domain.codes import CODE_DIGITS
from web.openapi import per, spell

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_figures() -> dict[str, str]:
    section = API_DOC.read_text("utf-8").split("## Lifetimes and quotas\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", section, re.MULTILINE)
    return {rule: figure for rule, figure in rows if rule not in ("rule", "---")}


def test_the_lifetimes_and_quotas_table_says_what_the_policies_hold():
    links, recovery, codes = EmailLinkPolicy(), RecoveryPolicy(), PhoneCodePolicy()
    flows, logins = ProviderFlowPolicy(), LoginLimits()
    second_step, fresh = SecondFactorPolicy(), FreshnessPolicy()
    address = AddressLimit()  # registration's; one row says it for the four routes
    assert logins.per_address == recovery.per_address == address
    assert documented_figures() == {
        "a verification or email-change link": f"lives {spell(links.link_ttl)}, works once",
        "a password reset link": f"lives {spell(links.reset_link_ttl)}, works once",
        "a `resetToken` (from `/auth/verify-phone`)": f"lives {spell(recovery.reset_token_ttl)}, works once",
        'a "not you?" link': f"lives {spell(links.secure_account_ttl)}, works once",
        "an unlock link": f"lives {spell(links.unlock_ttl)}, works once",
        "a WhatsApp code": f"{CODE_DIGITS} digits, lives {spell(codes.code_ttl)}, "
                           f"burned by the {codes.max_attempts}th wrong try",
        "a provider sign-in (`state`, `<provider>_flow` cookie)": f"lives {spell(flows.flow_ttl)}",
        "a pending link (`pending_link` cookie)": f"lives {spell(flows.pending_link_ttl)}",
        "register, login, `/auth/forgot-password`, `/auth/verify-phone`":
            f"{address.requests} requests {per(address.window)} per client address, each",
        "failed passwords per account (or per device)":
            f"the {logins.failures}th locks it for {spell(logins.lockout)}",
        "reset messages (links and codes together)":
            f"{recovery.messages_per_account} per account {per(recovery.account_window)}",
        "verification links asked (`/auth/verify-email/request`)":
            f"{links.requests} per account {per(links.window)}",
        "WhatsApp codes per number (verification and reset together)":
            f"{codes.codes_per_number} {per(codes.number_window)}",
        "WhatsApp verification codes per account": f"{codes.codes_per_account} {per(codes.account_window)}",
        "WhatsApp code requests per client address":
            f"{codes.per_address.requests} {per(codes.per_address.window)}",
        "a second-step challenge (`mfa_challenge` cookie)":
            f"lives {spell(second_step.challenge_ttl)}, works once, "
            f"burned by the {second_step.max_wrong_answers}th wrong answer",
        "recovery codes": f"{second_step.recovery_codes} at a time, each works once",
        "a fresh session (`REAUTH_MAX_AGE`, default)": f"{spell(fresh.max_age)} from its sign-in",
    }
