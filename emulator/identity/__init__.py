"""Identity pools: the cognito-identity JSON 1.1 API (AWSCognitoIdentityService.*) served on the Cognito port."""
