// Reading a Secrets Manager secret: one client per container, and a failure that names what was being read and
// the error's class, never the secret (callers keep their own caches: keys for the container's life, the link
// signer's for a while).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let client: SecretsManagerClient | undefined;

/** The secret's text; `what` completes "Could not read the … from Secrets Manager". */
export async function readSecretText(arn: string, what: string): Promise<string | undefined> {
  client ??= new SecretsManagerClient({});
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (error) {
    throw new Error(`Could not read the ${what} from Secrets Manager: ${(error as Error).name}.`);
  }
}
