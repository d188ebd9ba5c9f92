import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

export interface AuthProps {
  /** What happens to the user pool when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Minimum password length. @default 12 */
  readonly minPasswordLength?: number;
  /**
   * Origins of the web app (no trailing slash): each `${origin}/` is a callback and a sign-out URL of the app
   * client (Cognito matches them exactly). The first is the CloudFront origin; others are dev servers.
   */
  readonly webOrigins: string[];
  /** Prefix of the managed-login domain, `{prefix}.auth.{region}.amazoncognito.com` (globally unique). */
  readonly domainPrefix: string;
}

/** What the web app's OpenID client asks for: Cognito issues the ID token the API checks. */
export const OIDC_SCOPES = ['openid', 'email', 'profile'] as const;

/**
 * Who the users are: a Cognito user pool (email sign-in, self sign-up), its managed-login domain and the web app's
 * OpenID client (authorization code with PKCE).
 */
export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** JWT issuer of the pool's tokens, the OpenID authority: https://cognito-idp.{region}.amazonaws.com/{poolId}. */
  readonly issuer: string;
  /** The managed login's sign-out endpoint (Cognito's discovery document has no end_session_endpoint). */
  readonly logoutUrl: string;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: props.minPasswordLength ?? 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(this.userPool, 'AwsSolutions-COG2',
      'MFA is offered (TOTP) but optional: anyone may sign up to train LoRAs, and forcing MFA at sign-up blocks that.');
    acknowledge(this.userPool, 'AwsSolutions-COG8',
      'The Plus tier (threat protection) costs per active user; Essentials with strong passwords and optional TOTP fits this workspace.');

    // Managed login (version 2) on a Cognito domain: the sign-up and sign-in pages the web app redirects to.
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const redirectUrls = props.webOrigins.map((origin) => `${origin}/`);
    this.client = this.userPool.addClient('WebClient', {
      // A browser app cannot keep a client secret: authorization code with PKCE (S256) only.
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: redirectUrls,
        logoutUrls: redirectUrls,
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    // Version 2 pages show only with a branding for the client; Cognito's own look until an operator styles it.
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    const { region } = Stack.of(this);
    this.issuer = `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.logoutUrl = `${this.domain.baseUrl()}/logout`;
  }
}
