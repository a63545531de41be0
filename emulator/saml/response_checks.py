"""Whether a verified SAML response may sign a user in (pure): who issued it, for whom, where to, when, and in
answer to what. Returns the plain-words reason it may not, or None.

Rules and their sources (Cognito developer guide):
- the audience is the pool's SP entity id `urn:amazon:cognito:sp:<poolId>` ("Integrating third-party SAML
  identity providers");
- SP-initiated responses answer the AuthnRequest the pool sent (InResponseTo), and "Amazon Cognito cancels
  sessions that don't receive a response within 5 minutes" ("SAML session initiation");
- IdP-initiated: "your SAML assertion must not contain an InResponseTo claim and must have been issued within
  the previous 6 minutes", and the provider must have IDPInit (same page);
- Conditions, bearer SubjectConfirmationData Recipient/NotOnOrAfter and Response Destination as SAML 2.0 core
  §2.5.1 and profiles §4.1.4.3 require of a web-browser SSO service provider.
UNCONFIRMED: no clock skew is allowed (the runtime clock decides; tests move it); an assertion is accepted once.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.saml.names import BEARER, STATUS_SUCCESS
from emulator.saml.signed_response import ResponseFacts

SP_SESSION_SECONDS = 300  # SP-initiated sign-ins older than 5 minutes are cancelled
IDP_INITIATED_SECONDS = 360  # IdP-initiated assertions must be issued within the previous 6 minutes


@dataclass(frozen=True)
class Expected:
    """What this response must say: the IdP's entity id, the pool's audience, where it was posted, and the
    AuthnRequest it answers (None: IdP-initiated) with when that was sent."""

    issuer: str
    audience: str
    acs_url: str
    request_id: str | None
    requested_at: float | None = None


def _time_problem(facts: ResponseFacts, now: float) -> str | None:
    if facts.not_before is not None and now < facts.not_before:
        return f"the assertion's Conditions NotBefore is {facts.not_before:.0f}, and it is now {now:.0f}"
    if facts.not_on_or_after is not None and now >= facts.not_on_or_after:
        return f"the assertion's Conditions NotOnOrAfter was {facts.not_on_or_after:.0f}; it is now {now:.0f}"
    return None


def _confirmation_problem(facts: ResponseFacts, expected: Expected, now: float) -> str | None:
    bearers = [c for c in facts.confirmations if c.method == BEARER]
    if not bearers:
        return "the assertion has no bearer SubjectConfirmation"
    problems = []
    for c in bearers:
        if c.recipient != expected.acs_url:
            problems.append(f"Recipient {c.recipient!r} is not {expected.acs_url}")
        elif c.not_on_or_after is None or now >= c.not_on_or_after:
            problems.append(f"SubjectConfirmationData NotOnOrAfter {c.not_on_or_after} is not after now ({now:.0f})")
        elif c.not_before is not None and now < c.not_before:
            problems.append(f"SubjectConfirmationData NotBefore {c.not_before:.0f} is after now ({now:.0f})")
        elif c.in_response_to != expected.request_id:
            problems.append(f"InResponseTo {c.in_response_to!r} is not the AuthnRequest "
                            f"{expected.request_id!r}" if expected.request_id else
                            f"an IdP-initiated assertion carries InResponseTo {c.in_response_to!r}")
        else:
            return None
    return "no bearer SubjectConfirmation fits: " + "; ".join(problems)


def response_problem(facts: ResponseFacts, expected: Expected, now: float) -> str | None:
    """Why this verified response may not sign anyone in, or None."""
    if facts.status != STATUS_SUCCESS:
        return f"the IdP answered with status {facts.status or '(none)'}, not Success"
    if facts.issuer != expected.issuer:
        return f"the assertion's Issuer is {facts.issuer!r}; the IdP metadata's entityID is {expected.issuer!r}"
    if not facts.name_id:
        return "the assertion's Subject has no NameID"
    if expected.audience not in facts.audiences:
        return f"the assertion's Audience is {list(facts.audiences)}; it must include {expected.audience}"
    problem = _time_problem(facts, now) or _confirmation_problem(facts, expected, now)
    if problem:
        return problem
    if facts.destination is not None and facts.destination != expected.acs_url:
        return f"the Response's Destination is {facts.destination!r}, not {expected.acs_url}"
    if expected.request_id is None:
        if facts.response_in_response_to:
            return f"an IdP-initiated response carries InResponseTo {facts.response_in_response_to!r}"
        issued = facts.issue_instant
        if issued is None or not now - IDP_INITIATED_SECONDS <= issued <= now:
            return f"an IdP-initiated assertion must be issued within the previous {IDP_INITIATED_SECONDS // 60} " \
                   f"minutes (IssueInstant {issued}, now {now:.0f})"
        return None
    if facts.response_in_response_to not in (None, expected.request_id):
        return f"the Response answers {facts.response_in_response_to!r}, not the AuthnRequest {expected.request_id!r}"
    if expected.requested_at is not None and now - expected.requested_at > SP_SESSION_SECONDS:
        return f"the AuthnRequest was sent {now - expected.requested_at:.0f} s ago; Cognito cancels SAML sign-ins " \
               f"that get no response within {SP_SESSION_SECONDS // 60} minutes"
    return None
