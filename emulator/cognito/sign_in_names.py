"""What a sign-in name stands for: a username, or the e-mail / phone number a pool signs users in by."""

from __future__ import annotations

import re

from emulator.model import UserPool

EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
PHONE = re.compile(r"\+[0-9]{2,15}")


def name_shape(name: str) -> str | None:
    """`email` or `phone_number` when the name has that form, else None."""
    if EMAIL.fullmatch(name):
        return "email"
    if PHONE.fullmatch(name):
        return "phone_number"
    return None


def sign_in_attribute(pool: UserPool, name: str) -> str | None:
    """The UsernameAttributes entry `name` is a value of (email or phone_number) in this pool, if any."""
    shape = name_shape(name)
    return shape if shape in pool.username_attributes else None
