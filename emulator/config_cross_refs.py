"""Cross-references a config can get wrong while every entry is valid on its own (pure): an authorizer's issuer or
ProviderARN naming no local pool, an audience naming no client of that pool, route scopes no resource server
defines. Each problem names its key path and the closest existing value (difflib)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from emulator.config import Config, PoolSeed
from emulator.gateway.authorizer_config import CognitoAuthorizer, JwtAuthorizer
from emulator.gateway.cognito_authorizer import COGNITO_ARN

# An issuer of this shape is a Cognito pool's; any other (Auth0, Okta...) is remote by nature.
COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9A-Za-z]+)/?$")
# Scopes a route may require without a resource server (Cognito's built-in OAuth scopes).
BUILT_IN_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")


@dataclass(frozen=True)
class CrossRefProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def closest(value: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the nearest candidate, or a list of what exists."""
    options = sorted(set(candidates))
    match = difflib.get_close_matches(value, options, n=1, cutoff=0.5)
    if match:
        return f" (did you mean {match[0]!r}?)"
    return f" (there are: {', '.join(options)})" if options else " (there are none)"


def _pool_by_issuer(config: Config, issuer: str) -> PoolSeed | None:
    wanted = issuer.rstrip("/")
    return next((seed for seed in config.pools if seed.pool.issuer.rstrip("/") == wanted), None)


def _pool_by_id(config: Config, pool_id: str) -> PoolSeed | None:
    return next((seed for seed in config.pools if seed.pool.id == pool_id), None)


def _issuer_problem(config: Config, issuer: str, path: str,
                    remote: frozenset[str]) -> tuple[PoolSeed | None, CrossRefProblem | None]:
    """(the local pool the issuer names, or why it names none)."""
    seed = _pool_by_issuer(config, issuer)
    if seed is not None:
        return seed, None
    match = COGNITO_ISSUER.match(issuer)
    if match is None or issuer in remote or match.group(2) in remote:
        return None, None
    pool_id = match.group(2)
    same_id = _pool_by_id(config, pool_id)
    if same_id is not None:
        return same_id, CrossRefProblem(path, f"names pool {pool_id}, whose tokens carry iss {same_id.pool.issuer!r} "
                                              "(its Issuer override); set the authorizer's issuer to that, or remove "
                                              "the pool's Issuer")
    ids = [seed.pool.id for seed in config.pools]
    return None, CrossRefProblem(path, f"issuer {issuer!r} names pool {pool_id}, which is no local pool"
                                       f"{closest(pool_id, ids)}; the gateway would try to fetch its keys from AWS "
                                       f"(check-config --remote {pool_id} if that is meant)")


def _scope_problems(seeds: list[PoolSeed], scopes: tuple[str, ...], path: str) -> list[CrossRefProblem]:
    if not seeds:
        return []
    defined = {name for seed in seeds for server in seed.resource_servers for name in server.scope_names}
    known = defined | set(BUILT_IN_SCOPES)
    return [CrossRefProblem(f"{path}[{i}]", f"scope {scope!r} is defined by no resource server of pool "
                                            f"{', '.join(s.pool.id for s in seeds)}{closest(scope, known)}")
            for i, scope in enumerate(scopes) if scope not in known]


def cross_ref_problems(config: Config, remote: Iterable[str] = ()) -> list[CrossRefProblem]:
    """Every cross-reference mistake; `remote`: pool ids or issuers meant to be real AWS (or another IdP)."""
    remote_set = frozenset(remote)
    problems: list[CrossRefProblem] = []
    for a, api in enumerate(config.apis):
        pools_of: dict[str, list[PoolSeed]] = {}
        for z, authorizer in enumerate(api.authorizers):
            base = f"Apis[{a}].Authorizers[{z}]"
            if isinstance(authorizer, JwtAuthorizer):
                seed, problem = _issuer_problem(config, authorizer.issuer, f"{base}.JwtConfiguration.Issuer",
                                                remote_set)
                if problem:
                    problems.append(problem)
                if seed is not None:
                    pools_of[authorizer.name] = [seed]
                    clients = [c.client_id for c in seed.clients]
                    for i, client_id in enumerate(authorizer.audience):
                        if client_id not in clients:
                            problems.append(CrossRefProblem(
                                f"{base}.JwtConfiguration.Audience[{i}]",
                                f"{client_id!r} is no app client of pool {seed.pool.id}{closest(client_id, clients)}"))
            elif isinstance(authorizer, CognitoAuthorizer):
                seeds = []
                for i, arn in enumerate(authorizer.provider_arns):
                    match = COGNITO_ARN.match(arn)
                    pool_id = match.group(2) if match else arn
                    seed = _pool_by_id(config, pool_id)
                    if seed is not None:
                        seeds.append(seed)
                    elif pool_id not in remote_set and arn not in remote_set:
                        ids = [s.pool.id for s in config.pools]
                        problems.append(CrossRefProblem(
                            f"{base}.ProviderARNs[{i}]", f"{arn!r} names pool {pool_id}, which is no local pool"
                                                         f"{closest(pool_id, ids)}"))
                pools_of[authorizer.name] = seeds
        for r, route in enumerate(api.routes):
            if route.authorizer is not None and route.authorization_scopes:
                problems += _scope_problems(pools_of.get(route.authorizer.name, []), route.authorization_scopes,
                                            f"Apis[{a}].Routes[{r}].AuthorizationScopes")
    return problems
