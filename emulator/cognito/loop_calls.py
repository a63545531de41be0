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


def runs_on_loop(target: str | None, body_bytes: int) -> bool:
    """Whether a call may be tried on the event loop."""
    return target in ON_LOOP and body_bytes <= ON_LOOP_BODY_BYTES
