"""Every kind of record the store holds, with the one module that reads and writes each (state.py re-exports
it: `from emulator.state import Kind`)."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """Every kind of record in the store; each is read and written by one module."""

    POOL = "pool"  # state.py
    POOL_SETTINGS = "pool_settings"  # cognito/pools.py
    POOL_DOMAIN = "pool_domain"  # cognito/pools.py
    CLIENT = "client"  # state.py
    RESOURCE_SERVER = "resource_server"  # state.py
    GROUP = "group"  # state.py
    USER = "user"  # state.py
    MEMBERSHIP = "membership"  # state.py
    KEYS = "keys"  # keys.py
    SEED = "seed"  # seeding.py
    SESSION = "session"  # cognito/sessions.py
    SRP_SECRET_BLOCK = "srp_secret_block"  # cognito/sessions.py
    REFRESH = "refresh"  # refresh_tokens.py
    REVOKED_ORIGIN = "revoked_origin"  # refresh_tokens.py
    REFRESH_OF_USER = "refresh_of_user"  # retired: record_index holds refresh tokens by user (store_tables.py)
    OUTBOX_CLEARED = "outbox_cleared"  # cognito/control_endpoints.py
    SNAPSHOT = "snapshot"  # cognito/control_endpoints.py: outside dump, reset and restore
    TEMPORARY_PASSWORD = "temporary_password"  # cognito/temporary_passwords.py
    CODE = "code"  # cognito/codes.py
    OAUTH2_CODE = "oauth2_code"  # oauth2/records.py
    OAUTH2_BROWSER_SESSION = "oauth2_browser_session"  # oauth2/records.py
    OAUTH2_LOGIN_REQUEST = "oauth2_login_request"  # oauth2/records.py
    OAUTH2_LOGIN_STEP = "oauth2_login_step"  # oauth2/records.py
    UI_CUSTOMIZATION = "ui_customization"  # cognito/ui_customization.py
    SIGNING_CERTIFICATE = "signing_certificate"  # cognito/signing_certificate.py
    IMPORT_JOB = "import_job"  # cognito/import_jobs.py
    IMPORT_CSV = "import_csv"  # cognito/import_jobs.py
    AUTH_EVENT = "auth_event"  # cognito/auth_events.py
    LOG_DELIVERY = "log_delivery"  # cognito/log_delivery.py
    RISK_CONFIGURATION = "risk_configuration"  # cognito/risk_configuration.py
    TERMS = "terms"  # cognito/terms.py
    MANAGED_LOGIN_BRANDING = "managed_login_branding"  # cognito/managed_login_branding.py
    IDENTITY_POOL = "identity_pool"  # identity/records.py
    IDENTITY = "identity"  # identity/records.py
    IDENTITY_LOGIN = "identity_login"  # identity/records.py
    AWS_CREDENTIALS = "aws_credentials"  # identity/records.py
    IDENTITY_PROVIDER = "identity_provider"  # cognito/identity_providers.py
    KMS_KEY = "kms_key"  # kms/keys.py
    SAML_REQUEST = "saml_request"  # oauth2/saml_records.py: AuthnRequests sent, by RelayState
    SAML_ASSERTION = "saml_assertion"  # oauth2/saml_records.py: assertions used (each signs in once)
    SAML_SESSION = "saml_session"  # oauth2/saml_records.py: a browser session's NameID and SessionIndex
    SAML_LOGOUT = "saml_logout"  # oauth2/saml_records.py: LogoutRequests sent, by RelayState
    FEDERATION_REQUEST = "federation_request"  # oauth2/federation_requests.py: an authorize request sent to an IdP
    PROVIDER_LINK = "provider_link"  # cognito/provider_links.py: AdminLinkProviderForUser
    SIMULATED_IDP_CODE = "simulated_idp_code"  # oauth2/social_simulation.py
    SIMULATED_IDP_IDENTITY = "simulated_idp_identity"  # oauth2/social_simulation.py: identities picked before
    SESSION_CONFIGURATION = "session_configuration"  # cognito/session_limits.py
