import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Sign-in protection tiers; `PLUS` adds threat protection at a higher price per active user. */
export const THREAT_PROTECTION = { ENFORCED: 'ENFORCED', OFF: 'OFF' } as const;
export type ThreatProtection = (typeof THREAT_PROTECTION)[keyof typeof THREAT_PROTECTION];

export interface SluiceAuthProps {
  /** Groups to create: the manifest's plus the policy config's. */
  groups: string[];
  /**
   * `ENFORCED` puts the pool on the Plus feature plan with threat protection blocking risky
   * sign-ins; `OFF` keeps the Essentials plan (cheaper, no threat protection).
   * @default 'ENFORCED'
   */
  threatProtection?: ThreatProtection;
}

/** Minimum password length; Cognito's default policy, with every character class required. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * The Cognito user pool, its groups and the web app's client. The client allows SRP (what
 * aws-amplify uses in the cloud) and USER_PASSWORD_AUTH (what the twin supports), so one
 * web build signs in on both.
 *
 * @example
 * ```ts
 * const auth = new SluiceAuth(this, 'Auth', { groups: ['admins', 'users'] });
 * auth.userPool.userPoolId;
 * ```
 */
export class SluiceAuth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly webClient: cognito.UserPoolClient;
  readonly groups: string[];

  constructor(scope: Construct, id: string, props: SluiceAuthProps) {
    super(scope, id);
    const plus = (props.threatProtection ?? THREAT_PROTECTION.ENFORCED) === THREAT_PROTECTION.ENFORCED;
    this.groups = [...new Set(props.groups)];
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      selfSignUpEnabled: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: MIN_PASSWORD_LENGTH,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: plus ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      ...(plus ? { standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      // Users and their group memberships are data: never lose them on a stack update gone wrong.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.userPool, [
      {
        id: 'AwsSolutions-COG2',
        reason: 'MFA is optional (TOTP) so demo and internal users can sign in; admins can require it per deployment.',
      },
      ...(plus
        ? []
        : [{ id: 'AwsSolutions-COG8', reason: 'The deployer chose the Essentials plan (context sluice:threatProtection=OFF) for cost; see docs/deploy.md.' }]),
    ]);

    this.groups.forEach((groupName, precedence) => {
      new cognito.CfnUserPoolGroup(this, `Group${pascal(groupName)}`, {
        userPoolId: this.userPool.userPoolId,
        groupName,
        // Lower precedence wins when a user is in several groups (admins first).
        precedence,
      });
    });

    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: 'sluice-web',
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      // The web app signs in through the Amplify API calls, not the hosted UI.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });

    new CfnOutput(scope, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(scope, 'UserPoolClientId', { value: this.webClient.userPoolClientId });
  }
}

/** `policy-config` → `PolicyConfig`: logical ids must be alphanumeric. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
