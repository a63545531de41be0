"""Which JSON API calls are answered on the event loop instead of in the thread pool (pure).

The hop to a thread and back costs about a quarter of an InitiateAuth's CPU (two wake-ups, and the threads'
contention for the GIL under load), so the calls a test suite makes most run on the loop, when they can only
compute and use the store: a call that reaches a wait (a Lambda trigger, another worker's write lock) is rolled
back and answered again in a thread (blocking.py), and so is every call while another thread holds the store."""

from __future__ import annotations

from emulator.cognito.protocol import TARGET_PREFIX

# Operations that compute and use the store, and whose only wait is a trigger of the pool or the store's
# write lock; every other operation (imports, identity providers that fetch metadata, the identity pools'
# and KMS targets) always runs in a thread.
ON_LOOP = frozenset(TARGET_PREFIX + name for name in (
    "InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge", "AdminRespondToAuthChallenge",
    "GetTokensFromRefreshToken", "RevokeToken", "GlobalSignOut", "AdminUserGlobalSignOut",
    "GetUser", "AdminGetUser", "ListUsers", "ListUsersInGroup", "AdminListGroupsForUser",
    "DescribeUserPool", "DescribeUserPoolClient", "ListUserPools", "ListUserPoolClients", "ListGroups", "GetGroup",
))
# Past this, parsing and validating the body alone is worth a thread (the port reads up to MAX_BODY_BYTES).
ON_LOOP_BODY_BYTES = 16 * 1024
# SRP steps (USER_SRP_AUTH, PASSWORD_VERIFIER, their device twins, USER_AUTH's PASSWORD_SRP) do 3072-bit modular
# exponentiations, tens of milliseconds each: a body naming them goes to a thread. Read in the raw bytes, before
# parsing: a name spelt with JSON escapes only runs on the loop, slower for the other ports, never wrongly.
THREAD_MARKERS = (b"SRP", b"PASSWORD_VERIFIER")


def runs_on_loop(target: str | None, body: bytes) -> bool:
    """Whether a call may be tried on the event loop."""
    return (target in ON_LOOP and len(body) <= ON_LOOP_BODY_BYTES
            and not any(marker in body for marker in THREAD_MARKERS))
