"""CreateTerms / DescribeTerms / UpdateTerms / DeleteTerms / ListTerms / DescribeTermsByClient: an app
client's terms-of-use and privacy-policy links for the managed login pages, stored per pool."""

from __future__ import annotations

import uuid
from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_client, require_pool
from emulator.cognito.pagination import page
from emulator.cognito.protocol import Call
from emulator.runtime import Runtime
from emulator.state import Kind

SUMMARY_FIELDS = ("TermsId", "TermsName", "Enforcement", "CreationDate", "LastModifiedDate")
DEFAULT_LINK = "cognito:default"


def links_problem(links: dict[str, str] | None) -> str | None:
    """Why the emulator refuses these Links, or None: TermsSource LINK (its only value) shows a URL, so at
    least one must be given (UNCONFIRMED: the model does not mark Links required)."""
    if not links:
        return (f"TermsSource LINK needs Links: a URL per language ({DEFAULT_LINK} for languages without their "
                "own)")
    return None


def _require(rt: Runtime, pool_id: str, terms_id: str) -> dict[str, Any]:
    terms = rt.store.get(Kind.TERMS, pool_id, terms_id)
    if terms is None:
        raise reject("terms_not_found", f"pool {pool_id} has no terms with id {terms_id}", terms_id=terms_id)
    return terms


def _named(rt: Runtime, pool_id: str, client_id: str, name: str) -> dict[str, Any] | None:
    return next((t for _, _, t in rt.store.items(Kind.TERMS, pool_id)
                 if t["ClientId"] == client_id and t["TermsName"] == name), None)


def _check_links(links: dict[str, str] | None) -> None:
    problem = links_problem(links)
    if problem:
        raise reject("terms_links_missing", problem, detail=problem)


def create_terms(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    client_id = params["ClientId"]
    require_client(rt.store, client_id, pool_id)
    _check_links(params.get("Links"))
    if _named(rt, pool_id, client_id, params["TermsName"]) is not None:
        raise reject("terms_exists", f"client {client_id} already has {params['TermsName']}; UpdateTerms changes "
                     "it", name=params["TermsName"], client_id=client_id)
    now = rt.clock()
    terms = {"TermsId": str(uuid.uuid4()), "UserPoolId": pool_id, "ClientId": client_id,
             "TermsName": params["TermsName"], "TermsSource": params["TermsSource"],
             "Enforcement": params["Enforcement"], "Links": params["Links"], "CreationDate": now,
             "LastModifiedDate": now}
    rt.store.put(Kind.TERMS, pool_id, terms["TermsId"], terms)
    return {"Terms": terms}


def describe_terms(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    return {"Terms": _require(rt, pool_id, params["TermsId"])}


def describe_terms_by_client(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    require_client(rt.store, params["ClientId"], pool_id)
    terms = _named(rt, pool_id, params["ClientId"], params["TermsName"])
    if terms is None:
        raise reject("terms_not_found", f"client {params['ClientId']} has no {params['TermsName']}",
                     terms_id=params["TermsName"])
    return {"Terms": terms}


def update_terms(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """Changes what the request names; what it omits stays."""
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    terms = dict(_require(rt, pool_id, params["TermsId"]))
    if "Links" in params:
        _check_links(params["Links"])
    name = params.get("TermsName")
    if name and name != terms["TermsName"] and _named(rt, pool_id, terms["ClientId"], name) is not None:
        raise reject("terms_exists", f"client {terms['ClientId']} already has {name}", name=name,
                     client_id=terms["ClientId"])
    terms.update({k: params[k] for k in ("TermsName", "TermsSource", "Enforcement", "Links") if k in params})
    terms["LastModifiedDate"] = rt.clock()
    rt.store.put(Kind.TERMS, pool_id, terms["TermsId"], terms)
    return {"Terms": terms}


def delete_terms(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    _require(rt, pool_id, params["TermsId"])
    rt.store.delete(Kind.TERMS, pool_id, params["TermsId"])
    return {}


def list_terms(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    items = [(key, {k: t[k] for k in SUMMARY_FIELDS}) for _, key, t in rt.store.items(Kind.TERMS, pool_id)]
    items_page, token = page(items, params.get("NextToken"), params.get("MaxResults") or 10, f"terms:{pool_id}")
    return {"Terms": items_page, **({"NextToken": token} if token else {})}


OPERATIONS = {
    "CreateTerms": create_terms,
    "DescribeTerms": describe_terms,
    "UpdateTerms": update_terms,
    "DeleteTerms": delete_terms,
    "ListTerms": list_terms,
    "DescribeTermsByClient": describe_terms_by_client,
}
