"""The cognito-idp errors: one table of AWS's `__type` and message texts, and the exception that carries them.

Every rejection carries two texts: the AWS-faithful one the client sees, and a plain-words
reason that is logged and sent in `x-emulator-reason`.
"""

from __future__ import annotations

from dataclasses import dataclass

# key -> (__type, message template). Texts are AWS's own (AWS_BEHAVIOR.md §2-3); entries
# marked UNCONFIRMED follow the closest known AWS wording.
ERRORS: dict[str, tuple[str, str]] = {
    # flows. The SRP text is quoted from real calls (aws-serverless-workshops, several READMEs); the custom one
    # has the same shape and is matched by many Amplify error maps (amplify-js#3379) (AWS_EVIDENCE.md §1-2).
    # The refresh and USER_AUTH texts are UNCONFIRMED: they follow `<FLOW> flow not enabled for this client`.
    "password_flow_disabled": ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"),
    "admin_password_flow_disabled": ("InvalidParameterException", "Auth flow not enabled for this client"),
    "srp_flow_disabled": ("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client."),
    "custom_flow_disabled": ("InvalidParameterException", "CUSTOM_AUTH is not enabled for the client."),
    # A legacy CUSTOM_AUTH_FLOW_ONLY client asked for another flow (AWS_EVIDENCE.md §1; amplify-js#3379 and app
    # error maps: weak but consistent; the type is UNCONFIRMED).
    "custom_auth_only": ("InvalidParameterException", "Only custom auth (lambda driven) is enabled for this client."),
    "refresh_flow_disabled": (
        "InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client"),
    "user_auth_flow_disabled": ("InvalidParameterException", "USER_AUTH flow not enabled for this client"),
    "flow_not_supported": ("InvalidParameterException", "Initiate Auth method not supported."),
    "missing_auth_parameter": ("InvalidParameterException", "Missing required parameter {name}"),
    # users and passwords
    "wrong_password": ("NotAuthorizedException", "Incorrect username or password."),
    "user_not_found": ("UserNotFoundException", "User does not exist."),
    "user_not_confirmed": ("UserNotConfirmedException", "User is not confirmed."),
    "user_disabled": ("NotAuthorizedException", "User is disabled."),
    # A raw answer quoted in pmill/aws-cognito#37.
    "sign_up_not_permitted": ("NotAuthorizedException", "SignUp is not permitted for this user pool"),
    "password_reset_required": ("PasswordResetRequiredException", "Password reset required for the user"),
    "password_attempts_exceeded": ("NotAuthorizedException", "Password attempts exceeded"),
    # pools and clients
    "client_not_found": ("ResourceNotFoundException", "User pool client {client_id} does not exist."),
    "pool_not_found": ("ResourceNotFoundException", "User pool {pool_id} does not exist."),
    # secret hash
    "secret_hash_wrong": ("NotAuthorizedException", "Unable to verify secret hash for client {client_id}"),
    "secret_hash_missing": (
        "NotAuthorizedException", "Client {client_id} is configured with secret but SECRET_HASH was not received"),
    # SignUp and InitiateAuth USER_PASSWORD_AUTH (lookup.MISSING_SECRET_HASH): raw bodies quoted in
    # cognitect-labs/aws-api and the unity-sds wiki (AWS_EVIDENCE.md §1).
    "secret_not_received": (
        "NotAuthorizedException", "Client {client_id} is configured for secret but secret was not received"),
    "secret_hash_unexpected": (
        "InvalidParameterException",
        "App client {client_id} is not configured for secret but secret hash was received"),
    # GetTokensFromRefreshToken authenticates a secret client by ClientSecret itself (UNCONFIRMED texts: they
    # follow the SECRET_HASH ones).
    "client_secret_missing": (
        "NotAuthorizedException", "Client {client_id} is configured with secret but ClientSecret was not received"),
    "client_secret_wrong": ("NotAuthorizedException", "Unable to verify secret for client {client_id}"),
    "client_secret_unexpected": (
        "InvalidParameterException", "App client {client_id} is not configured for secret but secret was received"),
    "refresh_secret_hash_wrong": ("NotAuthorizedException", "SecretHash does not match for the client: {client_id}"),
    # tokens and sessions
    "refresh_token_invalid": ("NotAuthorizedException", "Invalid Refresh Token."),
    "refresh_token_revoked": ("NotAuthorizedException", "Refresh Token has been revoked"),
    "refresh_token_expired": ("NotAuthorizedException", "Refresh Token has expired"),
    "session_invalid": ("NotAuthorizedException", "Invalid session for the user."),
    "session_expired": ("NotAuthorizedException", "Invalid session for the user, session is expired."),
    "access_token_invalid": ("NotAuthorizedException", "Invalid Access Token"),
    "access_token_expired": ("NotAuthorizedException", "Access Token has expired"),
    "access_token_revoked": ("NotAuthorizedException", "Access Token has been revoked"),
    "access_token_scopes": ("NotAuthorizedException", "Access Token does not have required scopes"),
    # challenges
    "challenge_name_mismatch": ("InvalidParameterException", "Invalid challenge name {name}"),  # UNCONFIRMED
    "missing_challenge_response": ("InvalidParameterException", "Missing required parameter {name}"),
    "new_password_missing_attributes": (
        "InvalidParameterException", "Missing required attribute {name}"),  # UNCONFIRMED
    "invalid_password": ("InvalidPasswordException", "{detail}"),
    "code_mismatch": ("CodeMismatchException", "Invalid code received for user"),
    "expired_code": ("ExpiredCodeException", "Invalid code provided, please request a code again."),
    # protocol
    "unknown_operation": ("UnknownOperationException", ""),
    "serialization": ("SerializationException", "{detail}"),
    "validation": ("InvalidParameterException", "{detail}"),
    "internal": ("InternalErrorException", "An internal error occurred."),
    "body_too_large": (  # UNCONFIRMED: nothing found for cognito-idp (DynamoDB answers a bare 413)
        "SerializationException", "Request body is too large"),
    "json_too_deep": (  # UNCONFIRMED: the text the emulator gives any unreadable JSON body
        "SerializationException", "Malformed JSON body"),
    "unreadable_request": (  # UNCONFIRMED: an HTTP request the server cannot read (http_protocol.py)
        "SerializationException", "Malformed HTTP request"),
    # SigV4 on the operations the model does not mark `authtype: none` (admin_guard.py). Sources: the
    # UnrecognizedClientException and InvalidSignatureException bodies are raw cognito-idp 400 answers
    # quoted in ArranJacques/laravel-aws-cognito-auth#25 and #18, aws/aws-sdk-php#2444, ellaisys/aws-cognito#24.
    # The missing-token and incomplete-signature texts are UNCONFIRMED for cognito-idp: they are what
    # another coral JSON service (DynamoDB) answers with HTTP 400, as quoted raw in awslabs/aws-sdk-ios-samples#111
    # and recorded against DynamoDB by dynalite (its validation notes); cognito-idp drops the
    # `com.amazon.coral.service#` prefix of __type in the texts above, so it is dropped here too.
    "auth_missing": ("MissingAuthenticationTokenException", "Request is missing Authentication Token"),
    "auth_incomplete": ("IncompleteSignatureException", "{detail}"),
    "auth_unrecognized_client": (
        "UnrecognizedClientException", "The security token included in the request is invalid."),
    "auth_signature_mismatch": (
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
        "Access Key and signing method. Consult the service documentation for details."),
    # pools, clients, resource servers and domains (emulator/cognito/pools.py). Sources: the
    # deletion-protection text is quoted from real AWS in localstack/localstack#11947; the alias
    # text in two independent emulators; the domain texts in aws-amplify/amplify-cli e2e tests
    # and user reports. Those marked UNCONFIRMED follow the closest known AWS wording.
    "pool_deletion_protected": (
        "InvalidParameterException",
        "The user pool cannot be deleted because deletion protection is activated. "
        "Deletion protection must be inactivated first."),
    "pool_alias_and_username_attributes": (
        "InvalidParameterException",
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."),
    "client_secret_and_generate": (  # UNCONFIRMED
        "InvalidParameterException", "ClientSecret can not be specified when GenerateSecret is true."),
    "resource_server_not_found": (  # UNCONFIRMED
        "ResourceNotFoundException", "Resource server {identifier} does not exist in user pool {pool_id}."),
    "resource_server_exists": (  # UNCONFIRMED
        "InvalidParameterException", "{identifier} already exists in user pool {pool_id}."),
    "domain_taken": ("InvalidParameterException", "Domain already associated with another user pool"),
    "pool_has_domain": ("InvalidParameterException", "User pool already has a domain configured."),
    "domain_not_found": ("InvalidParameterException", "No such domain or user pool exists."),
    "domain_reserved_word": (  # seen in Terraform apply logs (": aws", ": cognito"); AWS_EVIDENCE.md §2
        "InvalidParameterException", "Domain cannot contain reserved word: {word}"),
    "pagination_token_invalid": ("InvalidParameterException", "Invalid pagination token."),  # UNCONFIRMED
    "verify_before_update_not_auto_verified": (  # AWS's text, quoted in ekristen/aws-nuke#477
        "InvalidParameterException",
        "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes"),
    # user lifecycle: sign-up, codes, admin users, groups, ListUsers, RevokeToken (users.py, signup.py,
    # admin_users.py, groups.py, list_users_filter.py). Sources: texts quoted from real AWS responses in
    # issue threads (aws-amplify/amplify-js#11738, aws-amplify/amplify-ui#219, furaiev/amazon-cognito-
    # identity-dart-2#80, aws/aws-sdk-php#1088, localstack/localstack#4465, aws-amplify/amplify-cli#2214,
    # amazon-archives/amazon-cognito-identity-js#678) and in many apps' error-handling code. Those marked
    # UNCONFIRMED follow the closest known AWS wording.
    "verification_code_mismatch": ("CodeMismatchException", "Invalid verification code provided, please try again."),
    "username_exists": ("UsernameExistsException", "User already exists"),
    "admin_username_exists": ("UsernameExistsException", "User account already exists"),
    "username_attribute_exists": ("UsernameExistsException", "An account with the given {attribute} already exists."),
    "alias_exists": ("AliasExistsException", "An account with the given {attribute} already exists."),
    "cannot_confirm": ("NotAuthorizedException", "User cannot be confirmed. Current status is {status}"),
    "already_confirmed": ("InvalidParameterException", "User is already confirmed."),
    "auto_verification_off": ("InvalidParameterException", "Cannot resend codes. Auto verification not turned on."),
    "username_client_not_found": ("UserNotFoundException", "Username/client id combination not found."),
    # ForgotPassword for a FORCE_CHANGE_PASSWORD user: aws-amplify/amplify-flutter#3048 (a raw SDK exception),
    # aws-solutions/distributed-load-testing-on-aws#1 (AWS_EVIDENCE.md §1).
    "password_reset_wrong_state": (
        "NotAuthorizedException", "User password cannot be reset in the current state."),
    "no_verified_contact": (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number"),
    "username_should_be_email": ("InvalidParameterException", "Username should be an email."),
    # The wording is quoted in an infra note (AWS_EVIDENCE.md §2); the trailing period is UNCONFIRMED.
    "username_should_be_phone": ("InvalidParameterException", "Username should be a phone number."),
    "username_should_be_either": (  # a user's log; apps match the exact string (AWS_EVIDENCE.md §2)
        "InvalidParameterException", "Username should be either an email or a phone number."),
    "username_is_email_alias": (
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias."),
    "username_is_phone_alias": (  # UNCONFIRMED
        "InvalidParameterException",
        "Username cannot be of phone number format, since user pool is configured for phone_number alias."),
    "attribute_not_in_schema": (
        "InvalidParameterException",
        "Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"),
    "unauthorized_attribute": ("NotAuthorizedException", "A client attempted to write unauthorized attribute"),
    "invalid_email": ("InvalidParameterException", "Invalid email address format."),
    "invalid_phone": ("InvalidParameterException", "Invalid phone number format."),
    "immutable_attribute": (  # UNCONFIRMED
        "InvalidParameterException", "Cannot modify the non-mutable attribute {name}"),
    "group_exists": ("GroupExistsException", "A group with the name {name} already exists."),  # UNCONFIRMED
    "group_not_found": ("ResourceNotFoundException", "Group not found."),
    "filter_unparsable": ("InvalidParameterException", "Error while parsing filter."),
    "filter_attribute": ("InvalidParameterException", "Invalid search attribute: {name}"),  # UNCONFIRMED
    "resend_wrong_state": (  # UNCONFIRMED
        "UnsupportedUserStateException", "Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD"),
    "token_revocation_disabled": (  # UNCONFIRMED
        "UnsupportedOperationException", "Token revocation is not enabled for this app client."),
    "unsupported_token_type": ("UnsupportedTokenTypeException", "Unsupported token type."),  # UNCONFIRMED
    "revoke_client_unauthorized": ("UnauthorizedException", "Invalid client credentials."),  # UNCONFIRMED
    "attribute_not_verifiable": (  # UNCONFIRMED
        "InvalidParameterException", "Invalid attribute name: {name} cannot be verified."),
    "attribute_missing": ("InvalidParameterException", "User does not have attribute {name}"),  # UNCONFIRMED
    # MFA and custom authentication (emulator/cognito/mfa.py, custom_auth.py, auth.py). Sources:
    # EnableSoftwareTokenMFAException text quoted in aws-samples/aws-amplify-auth-starters#15; "Invalid code
    # or auth state for the user." (SMS_MFA) in aws-amplify/amplify-js#3066 and #11069; the reused-code
    # ExpiredCodeException in client code that handles it (aws-amplify/amplify-swift tests and others);
    # SoftwareTokenMFANotFoundException in amazon-cognito-identity-js#630; "User has not verified software
    # token mfa" in aws-amplify/amplify-js#1343; the admin "delivery config" text in aws/aws-sdk-js-v3#4645;
    # the phone text in aws-amplify/amplify-js#618; the custom-auth texts in aws-amplify/amplify-js#5623,
    # amazon-cognito-passwordless-email-auth#17 and amazon-cognito-identity-js#167. Which CodeMismatch
    # text goes with which MFA type is UNCONFIRMED (both are seen from AWS).
    "totp_verify_mismatch": ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA"),
    "totp_code_reused": ("ExpiredCodeException", "Your software token has already been used once."),
    "sms_mfa_code_mismatch": ("CodeMismatchException", "Invalid code or auth state for the user."),
    "totp_not_found": ("SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user."),
    "totp_not_associated": (  # UNCONFIRMED
        "SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user."),
    "totp_not_verified": ("InvalidParameterException", "User has not verified software token mfa"),
    "totp_not_verified_admin": (
        "InvalidParameterException", "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"),
    "sms_mfa_no_phone_preference": (
        "InvalidParameterException", "User does not have a phone_number set to turn on SMS MFA"),
    "sms_mfa_no_phone_admin": (  # UNCONFIRMED: the admin text's pattern with SMS_MFA
        "InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA"),
    "sms_mfa_no_phone": (  # UNCONFIRMED
        "InvalidParameterException", "User does not have a phone_number set to turn on SMS MFA"),
    "mfa_two_preferred": (  # UNCONFIRMED
        "InvalidParameterException", "Only one MFA type can be set as preferred."),
    "mfa_type_invalid": ("InvalidParameterException", "Invalid MFA type selected."),  # UNCONFIRMED
    "token_or_session": (  # UNCONFIRMED
        "InvalidParameterException", "Either AccessToken or Session must be provided, but not both."),
    "custom_auth_not_configured": (
        "InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool."),
    "lambda_failed": ("UserLambdaValidationException", "{trigger} failed with error {detail}."),
    # A response AWS cannot use (not the event, wrong types, claims it refuses); amazon-cognito-identity-js#167.
    "lambda_bad_output": ("InvalidLambdaResponseException", "Unrecognizable lambda output"),
    # {detail} is the Lambda error code (AccessDeniedException, ResourceNotFoundException ...) or, for a trigger
    # that does not answer in 5 s, "Socket timeout while invoking Lambda function" (AWS_EVIDENCE.md;
    # furaiev/amazon-cognito-identity-dart-2#204, anomalyco/sst#1815 quote the timeout text).
    "lambda_unexpected": (
        "UnexpectedLambdaException", "{trigger} invocation failed due to error {detail}."),
    # A UserMigration function that throws: the text is matched by apps' error maps (e.g. an Amplify
    # Authenticator override testing startsWith("Exception migrating user in app client")); the type is
    # UNCONFIRMED.
    "migration_failed": ("UserNotFoundException", "Exception migrating user in app client {client_id}"),
    # user pool schema and temporary passwords (schema_rules.py, pools.py, users.py, temporary_passwords.py).
    # Sources: "Required custom attributes are not supported currently." quoted from CloudFormation failures
    # (a serverless blog post; an amplify override's comment); the standard-attribute text from a Terraform
    # user's comment; "user.<name>: Attribute cannot be updated." from aws-amplify/amplify-swift#3981 and
    # aws-amplify/amplify-js#3526 (raw, with its trailing newline); "Existing attribute already has name"
    # matched by deploy scripts against real AWS (the "<name>: " lead and the constraint texts are as other
    # emulators word them); the required-attribute text from a tutorial quoting AWS's SignUp answer; the
    # temporary-password text from many apps matching it exactly and an operator's notes. UNCONFIRMED marks
    # the rest.
    "required_custom_attribute": (
        "InvalidParameterException", "Required custom attributes are not supported currently."),
    "standard_attribute_changed": (
        "InvalidParameterException",
        "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"),
    "custom_attribute_exists": ("InvalidParameterException", "{name}: Existing attribute already has name {existing}."),
    "too_many_custom_attributes": (  # UNCONFIRMED
        "InvalidParameterException", "The user pool cannot have more than {limit} custom attributes."),
    "schema_constraint_invalid": (  # UNCONFIRMED
        "InvalidParameterException", "Invalid {constraint} for schema attribute {name}"),
    "schema_string_too_long": (  # UNCONFIRMED
        "InvalidParameterException", "user.{name}: String attributes cannot have a length of more than {limit}"),
    "schema_length_range": (  # UNCONFIRMED
        "InvalidParameterException", "user.{name}: Max length cannot be less than min length."),
    "schema_value_range": (  # UNCONFIRMED
        "InvalidParameterException", "user.{name}: Max value cannot be less than min value."),
    "attribute_cannot_be_updated": ("InvalidParameterException", "user.{name}: Attribute cannot be updated.\n"),
    "attribute_required": ("InvalidParameterException", "Attributes did not conform to the schema: {detail}"),
    "attribute_value_invalid": (  # UNCONFIRMED: AWS's words after the attribute name
        "InvalidParameterException", "Attributes did not conform to the schema: {name}: {detail}"),
    "schema_name_missing": (  # UNCONFIRMED: the model's "Member must not be null" form, at the entry's name
        "InvalidParameterException",
        "1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null"),
    "temporary_password_expired": (
        "NotAuthorizedException", "Temporary password has expired and must be reset by an administrator."),
    # Pool-level operation families (tags.py, ui_customization.py, import_jobs.py, auth_events.py,
    # log_delivery.py, risk_configuration.py, terms.py, managed_login_branding.py). The types are the ones
    # botocore's model lists for each operation; every text here is UNCONFIRMED (none found in public captures).
    "resource_arn_invalid": ("InvalidParameterException", "Invalid resource ARN: {arn}"),
    "too_many_tags": ("InvalidParameterException", "A user pool can have at most {limit} tags."),
    "ui_css_invalid": ("InvalidParameterException", "{detail}"),
    "ui_image_invalid": ("InvalidParameterException", "{detail}"),
    "import_job_not_found": ("ResourceNotFoundException", "Import job {job_id} does not exist."),
    "import_job_wrong_state": (
        "PreconditionNotMetException", "The import job {job_id} cannot be {action} in status {status}."),
    "import_csv_missing": (
        "PreconditionNotMetException", "No file has been uploaded for import job {job_id}."),
    "addon_not_enabled": (
        "UserPoolAddOnNotEnabledException", "Threat protection is not enabled for this user pool."),
    "auth_event_not_found": ("ResourceNotFoundException", "Auth event {event_id} does not exist."),
    "feedback_token_invalid": ("NotAuthorizedException", "Invalid feedback token."),
    "terms_exists": ("TermsExistsException", "Terms {name} already exist for client {client_id}."),
    "terms_not_found": ("ResourceNotFoundException", "Terms {terms_id} do not exist."),
    "terms_links_missing": ("InvalidParameterException", "{detail}"),
    "branding_exists": (
        "ManagedLoginBrandingExistsException", "A managed login branding style already exists for client {client_id}."),
    "branding_not_found": ("ResourceNotFoundException", "Managed login branding {branding_id} does not exist."),
    "branding_settings_conflict": ("InvalidParameterException", "{detail}"),
    "log_configuration_invalid": ("InvalidParameterException", "{detail}"),
    "feature_unavailable_in_tier": ("FeatureUnavailableInTierException", "{detail}"),
    # user sessions (user_sessions.py): the types are the model's; the texts are UNCONFIRMED (the last one is the
    # model's own sentence, "You can't revoke the session that the calling access token belongs to.").
    "session_tracking_off": (
        "OperationNotEnabledException", "User session tracking is not enabled for this user pool."),
    "session_not_found": ("ResourceNotFoundException", "Session {session_id} does not exist."),
    "session_is_current": (
        "InvalidParameterException", "You can't revoke the session that the calling access token belongs to."),
    # A valid setting whose behaviour the emulator does not have (pool_rules.NOT_HONOURED): the emulator's own
    # words, not AWS's (AWS accepts these).
    "setting_not_emulated": ("InvalidParameterException", "{detail}"),
    # UNCONFIRMED: a custom sender without LambdaConfig.KMSKeyID, and a KMSKeyID that names no KMS key (AWS's
    # docs only say the key is required: "you must configure a symmetric customer master key in AWS KMS").
    "custom_sender_needs_kms_key": ("InvalidParameterException",
                                    "KMSKeyID must be provided when a custom sender trigger is configured."),
    "kms_key_id_invalid": ("InvalidParameterException", "Invalid KMSKeyID: it must be the ARN of a KMS key."),
    # identity providers of a pool (cognito/identity_providers.py). "client_id, client_secret and authorize_scopes
    # are all required idp details" is quoted raw in aws-amplify/amplify-cli#8266 (Google/Facebook/Amazon);
    # "Provider <name> cannot be of type Google." in aws/aws-cli#3179; the other texts are UNCONFIRMED.
    "idp_details_required": ("InvalidParameterException", "{names} are all required idp details"),
    "idp_name_not_type": ("InvalidParameterException", "Provider {name} cannot be of type {type}."),
    # A client naming a provider the pool lacks: quoted in lgallard/terraform-aws-cognito-user-pool#71.
    "idp_missing_for_client": (
        "InvalidParameterException", "The provider {name} does not exist for User Pool {pool_id}."),
    "idp_details_invalid": ("InvalidParameterException", "{detail}"),  # UNCONFIRMED
    "idp_duplicate": (  # UNCONFIRMED
        "DuplicateProviderException", "A provider with the name {name} already exists in this user pool."),
    "idp_identifier_taken": (  # UNCONFIRMED
        "DuplicateProviderException", "The identifier {identifier} is already used by another provider."),
    "idp_not_found": ("ResourceNotFoundException", "Identity provider {name} does not exist."),  # UNCONFIRMED
    "idp_identifier_not_found": (  # UNCONFIRMED
        "ResourceNotFoundException", "Identity provider with identifier {identifier} does not exist."),
    # AdminLinkProviderForUser / AdminDisableProviderForUser (provider_links.py). The merge text is quoted raw in
    # aws/aws-sdk-net#1000; the others are UNCONFIRMED (the types are in the operations' model).
    "link_source_signed_up": ("InvalidParameterException", "Merging is not currently supported, provide a "
                                                           "SourceUser that has not been signed up in order to link"),
    "link_source_cognito": (  # UNCONFIRMED
        "InvalidParameterException", "SourceUser ProviderName cannot be Cognito."),
    "link_destination_not_cognito": (  # UNCONFIRMED (AWS links to federated destination users too)
        "InvalidParameterException", "DestinationUser ProviderName must be Cognito."),
    "link_provider_missing": (  # UNCONFIRMED
        "InvalidParameterException", "The provider {name} does not exist for this user pool."),
    "link_value_missing": (  # UNCONFIRMED
        "InvalidParameterException", "ProviderAttributeValue is required."),
    "link_attribute_missing": (  # UNCONFIRMED
        "InvalidParameterException", "ProviderAttributeName is required."),
    "link_social_attribute": (  # UNCONFIRMED
        "InvalidParameterException", "ProviderAttributeName must be Cognito_Subject for social identity providers."),
    "link_source_linked": (  # UNCONFIRMED
        "AliasExistsException", "The source user is already linked to another user."),
    "disable_cognito_not_emulated": ("InvalidParameterException", "{detail}"),  # the emulator's own refusal
    # A federated sign-in's mapped attributes AWS refuses (cognito-user-pools-specifying-attribute-mapping: a
    # required attribute needs a mapping; a value fits in 2048 characters). UNCONFIRMED text.
    "federated_attributes_invalid": ("InvalidParameterException", "Invalid user attributes: {detail}"),
    # -- sign-in factors: pool MFA settings, e-mail codes, USER_AUTH (mfa_config.py, email_mfa.py,
    # user_auth.py, auth_factors.py). Sources are in mfa_config.py's docstring; the rest is UNCONFIRMED.
    "mfa_off_with_factor": ("InvalidParameterException",
                            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."),
    "mfa_no_factor": ("InvalidParameterException", "Invalid MFA configuration given, can't disable all MFAs with "
                                                   "a required or optional configuration."),
    "feature_tier": (  # UNCONFIRMED text; the type is in the operation's model
        "FeatureUnavailableInTierException", "{feature} is not available in the current user pool tier."),
    "first_factor_invalid": (  # UNCONFIRMED
        "InvalidParameterException", "{factor} is not supported as a first auth factor."),
    "first_factor_password": (  # UNCONFIRMED
        "InvalidParameterException", "AllowedFirstAuthFactors must contain PASSWORD."),
    "email_mfa_not_enabled": (  # UNCONFIRMED
        "InvalidParameterException", "Email MFA is not enabled for this user pool."),
    "email_mfa_no_email": (  # UNCONFIRMED: the pattern of the SMS text
        "InvalidParameterException", "User does not have an email set to turn on EMAIL_OTP"),
    "email_otp_code_mismatch": ("CodeMismatchException", "Invalid code or auth state for the user."),
    "mfa_options_medium": (  # UNCONFIRMED ("You can use it only to set SMS", SetUserSettings in the model)
        "InvalidParameterException", "Only SMS is supported as a delivery medium for MFAOptions."),
    "challenge_not_available": (  # UNCONFIRMED
        "InvalidParameterException", "The challenge {name} is not available for this user."),
    # Passkeys (webauthn.py): the types are the operations' own (botocore model); the texts are UNCONFIRMED
    # but "Credential data is not valid" (aws/aws-sdk-net#4386, a raw SDK exception).
    "webauthn_credential_invalid": ("InvalidParameterException", "Credential data is not valid"),
    "webauthn_not_enabled": ("WebAuthnNotEnabledException", "Passkey authentication is not enabled."),
    "webauthn_config_missing": (
        "WebAuthnConfigurationMissingException", "Relying party ID or user pool domain is not configured."),
    "webauthn_challenge_not_found": ("WebAuthnChallengeNotFoundException", "Challenge not found or expired."),
    "webauthn_client_mismatch": ("WebAuthnClientMismatchException", "Client ID does not match the registration."),
    "webauthn_origin": ("WebAuthnOriginNotAllowedException", "Origin is not allowed."),
    "webauthn_rp_mismatch": ("WebAuthnRelyingPartyMismatchException", "Relying party ID mismatch."),
    "webauthn_credential_not_found": ("ResourceNotFoundException", "Credential not found."),
    # Client secret rotation (client_secrets.py): types from the operations' models, texts UNCONFIRMED.
    "client_secret_public": ("InvalidParameterException", "Client {client_id} does not have a client secret."),
    "client_secret_limit": (
        "LimitExceededException", "The app client already has the maximum number of client secrets."),
    "client_secret_not_found": ("ResourceNotFoundException", "Client secret {secret_id} does not exist."),
    "client_secret_last": ("InvalidParameterException", "Cannot delete the last client secret of an app client."),
    # Devices (devices.py): texts UNCONFIRMED.
    "device_not_found": ("ResourceNotFoundException", "Device does not exist."),
    "device_verifier_invalid": ("InvalidParameterException", "Invalid device secret verifier config."),
}


@dataclass
class CognitoError(Exception):
    """An AWS-shaped rejection: what the client sees (`type`, `message`, `status`) and why (`reason`)."""

    type: str
    message: str
    reason: str
    status: int = 400

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


def reject(key: str, reason: str, **fields: str) -> CognitoError:
    """Build the rejection named `key` in ERRORS, with its message filled from `fields`."""
    error_type, template = ERRORS[key]
    status = 500 if error_type == "InternalErrorException" else 400
    return CognitoError(error_type, template.format(**fields), reason, status)


def invalid_parameter(message: str, reason: str | None = None) -> CognitoError:
    """An InvalidParameterException whose AWS text is not one of the fixed ones (validation details)."""
    return CognitoError("InvalidParameterException", message, reason or message)
