"""A local AWS KMS (the TrentService JSON 1.1 API on the Cognito port): the symmetric keys that encrypt the
codes Cognito hands to custom sender triggers, so a trigger's own AWS Encryption SDK can decrypt them."""
