"""Route descriptions state the policies' figures by reading them, never by repeating them."""

from datetime import timedelta

from application.policy import EmailLinkPolicy, PhoneCodePolicy, RecoveryPolicy
from web.openapi import per, spell
from web.schema_export import published_schema


def test_a_duration_is_spelled_in_its_largest_whole_unit():
    assert spell(timedelta(minutes=15)) == "15 minutes"
    assert spell(timedelta(minutes=1)) == "1 minute"
    assert spell(timedelta(hours=1)) == "1 hour"
    assert spell(timedelta(hours=24)) == "24 hours"
    assert spell(timedelta(days=7)) == "7 days"
    assert spell(timedelta(seconds=90)) == "90 seconds"


def test_a_window_reads_as_a_rate():
    assert per(timedelta(minutes=1)) == "a minute"
    assert per(timedelta(hours=1)) == "an hour"
    assert per(timedelta(hours=24)) == "a day"
    assert per(timedelta(minutes=15)) == "per 15 minutes"


def test_the_recovery_routes_describe_the_policies_they_run():
    paths = published_schema()["paths"]
    recovery, links, codes = RecoveryPolicy(), EmailLinkPolicy(), PhoneCodePolicy()
    forgot = paths["/auth/forgot-password"]["post"]["description"]
    assert (f"At most {recovery.messages_per_account} reset messages per account "
            f"{per(recovery.account_window)}") in forgot
    assert f"{spell(links.reset_link_ttl)}, once" in forgot
    verify = paths["/auth/verify-phone"]["post"]["description"]
    assert f"{codes.max_attempts} wrong tries burn the code" in verify
    assert f"for {spell(recovery.reset_token_ttl)}" in verify
