"""SAML 2.0 federation: the pure parts (IdP metadata, AuthnRequests, verifying and checking responses, the
SP metadata). The hosted UI's /saml2/ endpoints (oauth2/saml_endpoints.py) are the I/O edge over them."""
