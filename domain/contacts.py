"""How the OMS reaches a customer: an email or a phone, the phone read in E.164 with `phonenumbers`
(in the pickup store's country when it has no prefix). A phone that cannot be read is kept as given
and gets no SMS; the order says why."""

import re

import phonenumbers

from domain.channel_rules import ChannelRules
from domain.values import Customer

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class ContactRefused(Exception):
    """The order's contact breaks the channel's rules; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def e164(phone: str, country: str | None) -> str | None:
    """The number in E.164, read in `country` when it has no prefix; None when it cannot be read."""
    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def reachable(customer: Customer, store_country: str | None, rules: ChannelRules) -> Customer:
    """The customer with the phone in E.164, or kept as given with a note saying why SMS is skipped;
    ContactRefused when the channel's rules require what is missing."""
    if customer.contact_note:  # the OMS's own note, never the channel's
        customer = customer.model_copy(update={"contact_note": None})
    if rules.require == "email" and not customer.email:
        raise ContactRefused("email", "this channel requires an email")
    if rules.require == "phone" and not customer.phone:
        raise ContactRefused("phone", "this channel requires a phone")
    if not customer.phone or E164.match(customer.phone):
        return customer
    country = store_country or rules.default_country
    normalised = e164(customer.phone, country)
    if normalised:
        return customer.model_copy(update={"phone": normalised})
    where = f"as a number of {country}" if country else "(no prefix, and no country to read it in)"
    note = f"the phone number could not be read {where}"
    if rules.unreadable_phone == "refuse" or rules.require == "phone":
        raise ContactRefused("phone", f"{note}; send it in E.164, e.g. +33612345678")
    reach = "messages by email only" if customer.email else "the customer cannot be reached by message"
    return customer.model_copy(update={"contact_note": f"{note}: no SMS, {reach}"})
