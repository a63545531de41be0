"""Handing a message's secret to the pool's custom sender trigger instead of sending it (the rules are in
custom_sender_rules.py): the secret encrypted as Cognito encrypts it, then the trigger invoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.blocking import may_block
from emulator.cognito.custom_sender_rules import KMS_KEY_ID, sender_request, sender_source
from emulator.cognito.triggers import client_metadata, fire, user_attributes
from emulator.model import UserPool
from emulator.state import UserRecord

if TYPE_CHECKING:
    from emulator.runtime import Runtime


def hand_to_sender(rt: Runtime, pool: UserPool, user: UserRecord, sender: tuple[str, str], secret: str,
                   custom_message_source: str, client_id: str | None) -> str:
    """Invoke the sender with `secret` encrypted as Cognito encrypts it; its triggerSource. AWS's trigger
    errors when it fails; what it returns is not read."""
    may_block()  # a Lambda call comes (and a two-second import the first time): not on the event loop
    # The Encryption SDK (and the boto3 it loads) takes about two seconds to import: only pools with a sender.
    from emulator.kms.envelopes import encrypt_secret

    trigger, function = sender
    key = rt.kms.ensure(str(pool.lambda_config[KMS_KEY_ID]))
    source = sender_source(trigger, custom_message_source)
    code = encrypt_secret(rt.kms, key, secret, pool.id)
    fire(rt, pool, trigger, source, user.username, client_id,
         sender_request(trigger, code, user_attributes(user), client_metadata()), {},
         reference=function, reads_response=False)
    return source
