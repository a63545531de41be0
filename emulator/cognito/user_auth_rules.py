"""Choice-based sign-in (USER_AUTH), the decisions (pure): which first factors a user has, which challenges
a sign-in offers (AvailableChallenges), and where a PREFERRED_CHALLENGE or a SELECT_CHALLENGE ANSWER leads.

The factors are the pool's Policies.SignInPolicy.AllowedFirstAuthFactors (PASSWORD, EMAIL_OTP, SMS_OTP,
WEB_AUTHN); a PASSWORD factor offers two challenges, PASSWORD and PASSWORD_SRP ("Available challenges are
PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, and WEB_AUTHN", ChallengeResponses in the API reference)."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.state import UserRecord

# Factor -> the challenges it offers, in the order AvailableChallenges lists them (the API reference's order;
# that AWS lists them so is UNCONFIRMED).
CHALLENGES_OF = {
    "PASSWORD": ("PASSWORD", "PASSWORD_SRP"),
    "EMAIL_OTP": ("EMAIL_OTP",),
    "SMS_OTP": ("SMS_OTP",),
    "WEB_AUTHN": ("WEB_AUTHN",),
}
FACTOR_ORDER = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")


@dataclass(frozen=True)
class UserFirstFactors:
    """What one user could start a sign-in with, as plain values."""

    has_password: bool
    email_verified: bool
    phone_verified: bool
    passkeys: int = 0

    @classmethod
    def of(cls, user: UserRecord) -> UserFirstFactors:
        attrs = user.attributes
        return cls(has_password=bool(user.password_hash or user.srp_verifier),
                   email_verified=bool(attrs.get("email")) and attrs.get("email_verified") == "true",
                   phone_verified=bool(attrs.get("phone_number")) and attrs.get("phone_number_verified") == "true",
                   passkeys=len(user.mfa.get("passkeys") or ()))


def configured_factors(allowed: tuple[str, ...], user: UserFirstFactors) -> list[str]:
    """The first factors this user can use in this pool: allowed by the sign-in policy and set up by the user
    (a password, a verified e-mail address or phone number, a passkey)."""
    has = {"PASSWORD": user.has_password, "EMAIL_OTP": user.email_verified,
           "SMS_OTP": user.phone_verified, "WEB_AUTHN": user.passkeys > 0}
    return [factor for factor in FACTOR_ORDER if factor in allowed and has[factor]]


def available_challenges(factors: list[str]) -> list[str]:
    """AvailableChallenges of a SELECT_CHALLENGE answer for these factors."""
    return [challenge for factor in factors for challenge in CHALLENGES_OF[factor]]

