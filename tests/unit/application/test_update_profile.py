from dataclasses import replace

import pytest

from domain.errors import InvalidInput, NotAuthenticated, UsernameTaken
from domain.profile import ProfileEdit
from domain.users import COMPLETE_PROFILE
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT


async def signed_up(world, **registration):
    signed_in = await world.register.execute(RegistrationFactory.build(**registration), CLIENT)
    return signed_in.tokens.sid, signed_in.user.id


async def test_completing_the_profile_clears_complete_profile(world):
    sid, user_id = await signed_up(world, firstname=None, lastname=None)
    user = await world.update_profile.execute(sid, ProfileEdit(firstname="Ada", lastname="Lovelace"))
    assert COMPLETE_PROFILE not in user.required_actions()
    stored = world.db.users[user_id].profile
    assert (stored.firstname, stored.lastname) == ("Ada", "Lovelace")


async def test_every_field_is_written_in_its_stored_form(world):
    sid, user_id = await signed_up(world)
    edit = ProfileEdit(firstname="Zoe\u0301", lastname="Ng", username="Zoe.Ng", phone_number="06 12 34 56 78",
                       photo="https://cdn.example.com/z.png", locale="en")
    answered = await world.update_profile.execute(sid, edit)
    stored = world.db.users[user_id]
    assert answered == world.db.user(user_id)
    assert (stored.username, stored.phone_number, stored.phone_verified_at) == ("Zoe.Ng", "+33612345678", None)
    assert stored.profile.firstname == "Zoé"
    assert (stored.profile.photo, stored.profile.locale) == ("https://cdn.example.com/z.png", "en")


async def test_absent_and_empty_fields_are_unchanged_and_null_clears(world):
    sid, user_id = await signed_up(world, username="ada")
    await world.update_profile.execute(sid, ProfileEdit(phone_number="+33612345678", photo="https://e.x/a", locale="fr"))
    await world.update_profile.execute(sid, ProfileEdit(firstname="", username="", phone_number="", photo="", locale=""))
    before = world.db.users[user_id]
    assert (before.username, before.phone_number, before.profile.photo, before.profile.locale) == (
        "ada", "+33612345678", "https://e.x/a", "fr")
    await world.update_profile.execute(sid, ProfileEdit(username=None, phone_number=None, photo=None, locale=None))
    after = world.db.users[user_id]
    assert (after.username, after.phone_number, after.profile.photo, after.profile.locale) == (None, None, None, None)
    assert after.profile.firstname == before.profile.firstname


async def test_without_a_session_nothing_changes(world):
    with pytest.raises(NotAuthenticated):
        await world.update_profile.execute(None, ProfileEdit(firstname="Eve"))
    with pytest.raises(NotAuthenticated):
        await world.update_profile.execute("forged", ProfileEdit(firstname="Eve"))


@pytest.mark.parametrize("edit", [
    ProfileEdit(firstname="Eve", phone_number="12"),  # one bad field refuses the whole request
    ProfileEdit(firstname="Eve", photo="http://evil.example/a.png"),
    ProfileEdit(firstname="Eve", locale="de"),
    ProfileEdit(firstname="Eve", username="e@example.com"),
    ProfileEdit(firstname=None),
])
async def test_a_bad_field_changes_nothing(world, edit):
    sid, user_id = await signed_up(world)
    before = world.db.user(user_id)
    with pytest.raises(InvalidInput):
        await world.update_profile.execute(sid, edit)
    assert world.db.user(user_id) == before


async def test_a_username_another_account_has_is_taken_case_insensitively(world):
    await signed_up(world, username="Ada")
    sid, user_id = await signed_up(world, username="bob")
    with pytest.raises(UsernameTaken):
        await world.update_profile.execute(sid, ProfileEdit(username="ada", firstname="Eve"))
    assert world.db.users[user_id].username == "bob"
    assert world.db.users[user_id].profile.firstname != "Eve"


async def test_one_may_change_the_case_of_ones_own_username(world):
    sid, user_id = await signed_up(world, username="ada")
    await world.update_profile.execute(sid, ProfileEdit(username="ADA"))
    assert world.db.users[user_id].username == "ADA"


async def verified(world, sid, user_id, number: str) -> None:
    await world.update_profile.execute(sid, ProfileEdit(phone_number=number))
    world.db.users[user_id].phone_verified_at = world.clock.now()


async def test_a_number_another_account_verified_is_saved_unverified_telling_nothing(world):
    """A PATCH is no lookup of whose numbers are verified: only the right code tells."""
    holder_sid, holder_id = await signed_up(world)
    await verified(world, holder_sid, holder_id, "+33612345678")
    sid, user_id = await signed_up(world)
    for typed in ["06 12 34 56 78", "+33 6 12 34 56 78"]:
        user = await world.update_profile.execute(sid, ProfileEdit(phone_number=typed))
        assert (user.phone_number, user.phone_verified) == ("+33612345678", False)
    assert world.db.users[user_id].phone_number == "+33612345678"
    assert world.db.users[holder_id].phone_verified  # the holder keeps it verified


async def test_a_number_typed_by_several_unverified_accounts_is_allowed(world):
    first_sid, _ = await signed_up(world)
    await world.update_profile.execute(first_sid, ProfileEdit(phone_number="+33612345678"))
    sid, user_id = await signed_up(world)
    await world.update_profile.execute(sid, ProfileEdit(phone_number="+33612345678"))
    assert world.db.users[user_id].phone_number == "+33612345678"


async def test_a_new_number_is_unverified_and_resending_ones_own_keeps_it_verified(world):
    sid, user_id = await signed_up(world)
    await verified(world, sid, user_id, "+33612345678")
    await world.update_profile.execute(sid, ProfileEdit(phone_number="06 12 34 56 78"))
    assert world.db.users[user_id].phone_verified
    await world.update_profile.execute(sid, ProfileEdit(phone_number="+33700000001"))
    assert not world.db.users[user_id].phone_verified


async def test_the_phone_region_reads_numbers_without_a_plus(world):
    world.profile_policy = replace(world.profile_policy, phone_region="US")
    sid, user_id = await signed_up(world)
    await world.update_profile.execute(sid, ProfileEdit(phone_number="06502530000"))
    assert world.db.users[user_id].phone_number == "+16502530000"
