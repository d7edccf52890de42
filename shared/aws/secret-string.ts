/** Reading one secret from Secrets Manager (the api's JWT key), with a client made for the read and destroyed after it. */
import { GetSecretValueCommand, SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

/** The secret's SecretString; undefined when it has none (a binary secret). Secrets Manager's errors are thrown as they come. */
export async function readSecretString(secretId: string, clientConfig: SecretsManagerClientConfig): Promise<string | undefined> {
  const client = new SecretsManagerClient(clientConfig);
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return out.SecretString;
  } finally {
    client.destroy();
  }
}
