// The two founding stories as a CDK app: a user pool with a resource server and three clients, an HTTP
// API whose JWT authorizers list both client ids (GET /mogemoge) or only the new one (GET /before-fix),
// and a REST API whose Cognito authorizer requires test_resource/test (POST /access).
// Synthesised offline with `npx cdk synth --no-notices --no-version-reporting`; the template is
// tests/fixtures_templates/cdk/StoriesStack.template.json.
import { App, CfnResource, Duration, Stack } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as lambda from "aws-cdk-lib/aws-lambda";

const app = new App();
const stack = new Stack(app, "StoriesStack", { env: { region: "us-east-1", account: "123456789012" } });

// Pins a physical id for the emulator (tests hard-code it); AWS ignores resource Metadata.
function emulatorId(construct: { node: { defaultChild?: unknown } }, id: string): void {
  (construct.node.defaultChild as CfnResource).addMetadata("emulator:id", id);
}

const pool = new cognito.UserPool(stack, "Pool", {
  userPoolName: "example", signInAliases: { email: true }, selfSignUpEnabled: true,
});
emulatorId(pool, "us-east-1_CdkStory1");
const server = pool.addResourceServer("TestResource", {
  identifier: "test_resource",
  scopes: [new cognito.ResourceServerScope({ scopeName: "test", scopeDescription: "Test" })],
});
const backend = pool.addClient("Backend", {
  userPoolClientName: "backend",
  generateSecret: true,
  authFlows: { userPassword: true },
});
emulatorId(backend, "piyopiyo");
const managedLogin = pool.addClient("ManagedLogin", {
  userPoolClientName: "managed-login",
  authFlows: { userSrp: true },
  oAuth: { flows: { authorizationCodeGrant: true }, callbackUrls: ["http://localhost:3000/callback"] },
});
emulatorId(managedLogin, "managedlogin01");
const testServer = pool.addClient("TestServer", {
  userPoolClientName: "test-server",
  generateSecret: true,
  oAuth: {
    flows: { clientCredentials: true },
    scopes: [cognito.OAuthScope.resourceServer(server, new cognito.ResourceServerScope({ scopeName: "test", scopeDescription: "Test" }))],
  },
});
emulatorId(testServer, "testserver01");

const handler = new lambda.Function(stack, "Handler", {
  runtime: lambda.Runtime.PYTHON_3_12,
  handler: "backend.mogemoge",
  code: lambda.Code.fromInline("def mogemoge(event, context):\n    return {'statusCode': 200}\n"),
  timeout: Duration.seconds(10),
});

const issuer = `https://cognito-idp.${stack.region}.amazonaws.com/${pool.userPoolId}`;
const http = new apigwv2.HttpApi(stack, "HttpApi", { apiName: "mogemoge" });
http.addRoutes({
  path: "/mogemoge", methods: [apigwv2.HttpMethod.GET],
  integration: new HttpLambdaIntegration("MogeIntegration", handler),
  authorizer: new HttpJwtAuthorizer("BothClients", issuer, {
    jwtAudience: [managedLogin.userPoolClientId, backend.userPoolClientId],
  }),
});
http.addRoutes({
  path: "/before-fix", methods: [apigwv2.HttpMethod.GET],
  integration: new HttpLambdaIntegration("BeforeFixIntegration", handler),
  authorizer: new HttpJwtAuthorizer("ManagedLoginOnly", issuer, { jwtAudience: [managedLogin.userPoolClientId] }),
});

const rest = new apigw.RestApi(stack, "RestApi", { restApiName: "test-api", deployOptions: { stageName: "dev" } });
const cognitoAuthorizer = new apigw.CognitoUserPoolsAuthorizer(stack, "RestAuthorizer", {
  authorizerName: "test-cognito-authorizer", cognitoUserPools: [pool],
});
rest.root.addResource("access").addMethod("POST", new apigw.LambdaIntegration(handler), {
  authorizer: cognitoAuthorizer, authorizationType: apigw.AuthorizationType.COGNITO,
  authorizationScopes: ["test_resource/test"],
});
app.synth();
