"""The dashboard's HTML (pure): pools with clients, users and resource servers, APIs with routes and authorizers,
and the frames the script fills (live decisions, the token box, the outbox). Everything shown is escaped."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from emulator.gateway.authorizer_config import CognitoAuthorizer, JwtAuthorizer, LambdaAuthorizer
from emulator.gateway.config import ApiConfig
from emulator.model import AppClient, ResourceServer, UserPool
from emulator.state import UserRecord

_PARAM = re.compile(r"\{[^{}]+\}")


@dataclass(frozen=True)
class PoolView:
    pool: UserPool
    clients: Sequence[AppClient]
    users: Sequence[UserRecord]
    groups: Sequence[str]
    resource_servers: Sequence[ResourceServer]


def masked(secret: str | None) -> str:
    return "none" if not secret else secret[:2] + "…" + f" ({len(secret)} characters)"


def sample_route(route_key: str) -> str:
    """A concrete 'METHOD /path' for a route key, to check a token against it ({id} -> x, ANY -> GET)."""
    if route_key == "$default":
        return "GET /"
    method, _, path = route_key.partition(" ")
    return f"{'GET' if method == 'ANY' else method} {_PARAM.sub('x', path)}"


def _list(values: Iterable[Any]) -> str:
    shown = ", ".join(escape(str(v)) for v in values)
    return shown or "<span class=dim>none</span>"


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    header = "".join(f"<th scope=col>{escape(h)}</th>" for h in head)
    return (f"<div class=scroll><table><caption>{escape(caption)}</caption><thead><tr>{header}</tr></thead>"
            f"<tbody>{cells or f'<tr><td colspan={len(head)} class=dim>none</td></tr>'}</tbody></table></div>")


def _client_row(client: AppClient) -> list[str]:
    oauth = (f"{_list(client.allowed_oauth_flows)}; scopes {_list(client.allowed_oauth_scopes)}"
             if client.allowed_oauth_flows_user_pool_client else "<span class=dim>off</span>")
    return [f"<code>{escape(client.client_id)}</code><br>{escape(client.client_name)}",
            _list(client.explicit_auth_flows), oauth, escape(masked(client.client_secret))]


def pool_section(view: PoolView) -> str:
    pool = view.pool
    triggers = ", ".join(f"{escape(k)}" for k in sorted(pool.lambda_config)) or "none"
    users = [[f"<span class=username>{escape(u.username)}</span>", escape(u.status),
              "yes" if u.enabled else "<strong>disabled</strong>", escape(u.attributes.get("email", ""))]
             for u in view.users]
    servers = [[f"<code>{escape(s.identifier)}</code>", _list(s.scope_names)] for s in view.resource_servers]
    return (f"<section class=card aria-labelledby='pool-{escape(pool.id)}'><h3 id='pool-{escape(pool.id)}'>"
            f"{escape(pool.name)} <code>{escape(pool.id)}</code></h3>"
            f"<p>Issuer <code>{escape(pool.issuer)}</code> · triggers: {triggers} · groups: {_list(view.groups)}</p>"
            + _table("App clients", ("Client", "Auth flows", "OAuth", "Secret"), map(_client_row, view.clients))
            + "<label class=search>Search users <input type=search data-filter='users-" + escape(pool.id)
            + "' placeholder='username or e-mail'></label>"
            + _table("Users", ("Username", "Status", "Enabled", "E-mail"), users).replace(
                "<table>", f"<table id='users-{escape(pool.id)}'>", 1)
            + _table("Resource servers", ("Identifier", "Scopes"), servers) + "</section>")


def _authorizer(authorizer: Any) -> str:
    if isinstance(authorizer, JwtAuthorizer):
        return (f"JWT <strong>{escape(authorizer.name)}</strong>: issuer <code>{escape(authorizer.issuer)}</code>, "
                f"audience [{_list(authorizer.audience)}]")
    if isinstance(authorizer, CognitoAuthorizer):
        return f"COGNITO_USER_POOLS <strong>{escape(authorizer.name)}</strong>: {_list(authorizer.provider_arns)}"
    if isinstance(authorizer, LambdaAuthorizer):
        return (f"Lambda {escape(authorizer.type)} <strong>{escape(authorizer.name)}</strong>: "
                f"<code>{escape(authorizer.function_name)}</code>")
    return escape(str(getattr(authorizer, "name", authorizer)))


def api_section(api: ApiConfig, url: str) -> str:
    routes = [[f"<code>{escape(r.route_key)}</code>", escape(r.authorizer_name or "none"),
               _list(r.authorization_scopes), f"<code>{escape(r.target)}</code>"] for r in api.routes]
    authorizers = "".join(f"<li>{_authorizer(a)}</li>" for a in api.authorizers) or "<li class=dim>none</li>"
    stage = f"/{api.stage_name}" if api.protocol_type == "REST" else ""
    return (f"<section class=card><h3>{escape(api.name)} <span class=dim>{escape(api.protocol_type)} API</span></h3>"
            f"<p><a href='{escape(url + stage)}'>{escape(url + stage)}</a></p><ul>{authorizers}</ul>"
            + _table("Routes", ("Route", "Authorizer", "Scopes", "Target"), routes) + "</section>")


def route_options(apis: Sequence[ApiConfig]) -> str:
    options = []
    for api in apis:
        for route in api.routes:
            if route.authorizer is None:
                continue
            value = f"{api.name}|{sample_route(route.route_key)}"
            options.append(f"<option value='{escape(value)}'>{escape(api.name)}: {escape(route.route_key)} "
                           f"({escape(route.authorizer.name)})</option>")
    return "".join(options) or "<option value=''>no route has an authorizer</option>"


def render(pools: Sequence[PoolView], apis: Sequence[tuple[ApiConfig, str]], version: str) -> str:
    """The whole page; the script (dashboard.js) fills #decisions, #outbox and #token-result."""
    pool_html = "".join(pool_section(p) for p in pools) or "<p class=dim>No user pools.</p>"
    api_html = "".join(api_section(a, url) for a, url in apis) or "<p class=dim>No gateway APIs.</p>"
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<meta name=color-scheme content="light dark">
<title>cognito-emulator dashboard</title>
<link rel=stylesheet href="/_emulator/dashboard.css"></head>
<body>
<header><h1>cognito-emulator <span class=dim>{escape(version)}</span></h1>
<nav aria-label=Sections><a href="#log">Decisions</a> <a href="#token">Token</a> <a href="#outbox-h">Outbox</a>
<a href="#pools">Pools</a> <a href="#apis">APIs</a></nav></header>
<main>
<section aria-labelledby=log><h2 id=log>Live decisions</h2>
<p class=dim>Every refusal with AWS's error and the reason, newest first; new ones appear on their own.</p>
<p id=decisions-status role=status class=dim>Waiting for decisions…</p>
<ol id=decisions class=decisions aria-live=polite></ol></section>
<section aria-labelledby=token><h2 id=token>Would this token pass?</h2>
<form id=token-form class=card>
<label for=token-input>Token (ID or access token, with or without <code>Bearer</code>)</label>
<textarea id=token-input name=token rows=4 spellcheck=false autocomplete=off></textarea>
<label for=route-select>Route</label>
<select id=route-select name=route>{route_options([a for a, _ in apis])}</select>
<button type=submit>Decode and check</button></form>
<div id=token-result aria-live=polite></div></section>
<section aria-labelledby=outbox-h><h2 id=outbox-h>Outbox</h2>
<p class=dim>Codes and messages "sent" (nothing leaves this machine).</p>
<div id=outbox></div></section>
<section aria-labelledby=pools><h2 id=pools>User pools</h2>{pool_html}</section>
<section aria-labelledby=apis><h2 id=apis>Gateway APIs</h2>{api_html}</section>
</main>
<script src="/_emulator/dashboard.js" defer></script>
</body></html>"""
