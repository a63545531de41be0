"""Client secret rotation: AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret.
A confidential client holds up to two active secrets ("Supports up to 2 active secrets per app client for
zero-downtime credential rotation workflows"); SECRET_HASH, ClientSecret and HTTP Basic auth accept either
(AppClient.secrets). Ids are `<client-id>--<epoch-create-time>` (ClientSecretDescriptorType in the model).
The refusals' types are the operations' own; their texts are UNCONFIRMED (errors.py)."""

from __future__ import annotations

from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_client, require_pool
from emulator.cognito.protocol import Call
from emulator.model import AppClient
from emulator.runtime import Runtime
from emulator.seeding import new_client_secret

MAX_SECRETS = 2


def secret_id(client_id: str, created: float) -> str:
    return f"{client_id}--{int(created * 1000)}"  # epoch milliseconds (UNCONFIRMED: seconds or milliseconds)


def descriptors(client: AppClient) -> list[tuple[str, str, float]]:
    """(id, value, created) of every active secret, the client's first secret first."""
    found = []
    if client.client_secret:
        created = client.secret_created or client.created
        found.append((secret_id(client.client_id, created), client.client_secret, created))
    return found + list(client.added_secrets)


def with_secret_added(client: AppClient, value: str, now: float) -> AppClient:
    """The client with one more secret; AWS's refusals for a public client or a third secret."""
    if not client.client_secret:
        raise reject("client_secret_public", f"client '{client.client_name}' has no secret (a public client); "
                                             "only a confidential client gets more secrets", client_id=client.client_id)
    if len(descriptors(client)) >= MAX_SECRETS:
        raise reject("client_secret_limit", f"client '{client.client_name}' already has {MAX_SECRETS} secrets; "
                                            "DeleteUserPoolClientSecret one first")
    taken = {d[0] for d in descriptors(client)}
    while secret_id(client.client_id, now) in taken:  # two secrets in one millisecond
        now += 0.001
    return client.with_changes(added_secrets=(*client.added_secrets, (secret_id(client.client_id, now), value, now)),
                               modified=now)


def without_secret(client: AppClient, secret: str) -> AppClient:
    """The client without secret `secret` (an id); the other one becomes its ClientSecret if need be."""
    remaining = [d for d in descriptors(client) if d[0] != secret]
    if len(remaining) == len(descriptors(client)):
        raise reject("client_secret_not_found", f"client '{client.client_name}' has no secret {secret!r} "
                                                "(ListUserPoolClientSecrets shows its ids)", secret_id=secret)
    if not remaining:
        raise reject("client_secret_last", f"{secret} is the last secret of client '{client.client_name}'; add "
                                           "another before deleting it")
    first_id, first_value, first_created = remaining[0]
    return client.with_changes(client_secret=first_value, secret_created=first_created,
                               added_secrets=tuple(remaining[1:]))


def _client(rt: Runtime, params: dict) -> AppClient:
    require_pool(rt.store, params["UserPoolId"])
    return require_client(rt.store, params["ClientId"], params["UserPoolId"])[1]


def add_user_pool_client_secret(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    client = _client(rt, params)
    given = params.get("ClientSecret")
    changed = with_secret_added(client, given or new_client_secret(), rt.clock())
    rt.store.put_client(changed)
    new_id, value, created = changed.added_secrets[-1]
    descriptor: dict[str, Any] = {"ClientSecretId": new_id, "ClientSecretCreateDate": created}
    if not given:  # "The ClientSecretValue is only returned when Amazon Cognito generates the secret."
        descriptor["ClientSecretValue"] = value
    return {"ClientSecretDescriptor": descriptor}


def list_user_pool_client_secrets(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    client = _client(rt, params)
    # "the response never reveals the actual secret value in ClientSecretValue"
    return {"ClientSecrets": [{"ClientSecretId": i, "ClientSecretCreateDate": c} for i, _, c in descriptors(client)]}


def delete_user_pool_client_secret(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    client = _client(rt, params)
    rt.store.put_client(without_secret(client, params["ClientSecretId"]).with_changes(modified=rt.clock()))
    return {}


OPERATIONS = {
    "AddUserPoolClientSecret": add_user_pool_client_secret,
    "ListUserPoolClientSecrets": list_user_pool_client_secrets,
    "DeleteUserPoolClientSecret": delete_user_pool_client_secret,
}
