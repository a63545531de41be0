"""POST /oauth2/revoke: revoke a refresh token and the access tokens of its sign-in (revocation-endpoint.md)."""

from __future__ import annotations

from collections.abc import Mapping

from emulator.oauth2.errors import oauth_error
from emulator.oauth2.token import authenticate_client
from emulator.refresh_tokens import find_refresh_token, revoke_refresh_token
from emulator.runtime import Runtime


def revoke(rt: Runtime, form: Mapping[str, str], authorization: str | None) -> str | None:
    """Revoke `token`; returns a note when nothing was revoked (unknown or already revoked: still 200).

    Raises OAuthError: invalid_request (no token, revocation disabled, another client's token),
    401 invalid_client, unsupported_token_type (an access or ID token)."""
    token = form.get("token")
    if not token:
        raise oauth_error("invalid_request", "the request has no token (the refresh token to revoke)")
    pool, client = authenticate_client(rt, form, authorization, error_key="revoke_invalid_client")
    if not client.enable_token_revocation:
        raise oauth_error("invalid_request", f"client '{client.client_name}' has EnableTokenRevocation false")
    if token.count(".") == 2:
        raise oauth_error("unsupported_token_type", "the token is a JWT (an access or ID token); /oauth2/revoke "
                                                    "takes the refresh token, which revokes the access tokens too")
    record = find_refresh_token(rt.store, pool.id, token)
    if record is None:
        return "the token is not a refresh token of this pool; nothing was revoked (AWS answers 200 anyway)"
    if record.client_id != client.client_id:
        raise oauth_error("invalid_request", f"the refresh token was issued to client {record.client_id}, not "
                                             f"{client.client_id}; it was not revoked")
    if record.revoked:
        return "the refresh token was already revoked"
    revoke_refresh_token(rt.store, record, token)
    return None
