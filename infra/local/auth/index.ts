export { createAuthorizer, lowerCaseHeaders, type AuthorizerContext, type AuthorizerOptions } from './authorizer.js';
export { createCognitoJwtVerifier, cognitoIdentity } from './cognito-jwt.js';
export { verifySigV4, isSigV4Authorization, MAX_CLOCK_SKEW_IN_MS, APPSYNC_SIGNING_SERVICE } from './sigv4.js';
export * from './types.js';
