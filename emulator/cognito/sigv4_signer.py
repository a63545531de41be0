"""botocore's SigV4 signer fed a request as the client signed it: the headers named in SignedHeaders and the
X-Amz-Date timestamp (sigv4.py checks a signature with it). Apart from sigv4.py because botocore's HTTP stack
(urllib3 and more) costs ~80 ms to import, and only a signed request needs it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

if TYPE_CHECKING:
    from emulator.cognito.sigv4 import Authorization, SignedRequest


class _AsSigned(SigV4Auth):
    """botocore's signer, told which headers the client signed (botocore would choose its own)."""

    def __init__(self, credentials: Credentials, region: str, signed: Sequence[str], service: str) -> None:
        super().__init__(credentials, service, region)
        self._signed = set(signed)

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        chosen = HTTPHeaders()
        for name, value in request.headers.items():
            if name.lower() in self._signed:
                chosen[name.lower()] = value
        return chosen


def expected_signature(request: SignedRequest, auth: Authorization, secret: str, region: str, when: str,
                       service: str) -> str:
    """The signature botocore computes for the request as the client signed it."""
    aws_request = AWSRequest(method=request.method, url=request.url, data=request.body)
    for name, value in request.headers:
        if name.lower() in auth.signed_headers:
            aws_request.headers[name.lower()] = value  # HTTPHeaders keeps repeated headers, as SigV4 joins them
    aws_request.context["timestamp"] = when
    signer = _AsSigned(Credentials(auth.access_key_id, secret), region, auth.signed_headers, service)
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
