import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

/** Where the stub's own import (@smithy/core/config) resolves from: the repository's node_modules. */
const RESOLVE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The providers a Lambda function never reaches, by the export defaultProvider imports from each. */
const SKIPPED = { sso: 'fromSSO', ini: 'fromIni', process: 'fromProcess', 'web-identity': 'fromTokenFile' } as const;

/**
 * An esbuild plugin that leaves out the credential providers of the SDK's default chain
 * (@aws-sdk/credential-provider-node's defaultProvider) a Lambda function never reaches: SSO,
 * the shared config and credentials files, credential processes and web-identity token files,
 * with the STS / SSO / sign-in clients they carry (~93 KiB of the api). Lambda gives a function
 * its role's credentials as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (AWS
 * docs, "Defined runtime environment variables"), which the chain's first link (fromEnv) reads;
 * each skipped link rejects with `tryNextLink`, exactly as an unconfigured one does, so the
 * chain goes on to the container / instance metadata links as before.
 */
export const lambdaCredentialsOnly: Plugin = {
  name: 'lambda-credentials-only',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-(sso|ini|process|web-identity)$/ }, ({ path }) => ({ path, namespace: 'skipped-credentials' }));
    build.onLoad({ filter: /.*/, namespace: 'skipped-credentials' }, ({ path }) => {
      const name = SKIPPED[path.replace('@aws-sdk/credential-provider-', '') as keyof typeof SKIPPED];
      const contents = [
        "import { CredentialsProviderError } from '@smithy/core/config';",
        `export const ${name} = () => async () => {`,
        `  throw new CredentialsProviderError(${JSON.stringify(`${path} is not bundled: a Lambda function's credentials come from its environment`)}, { tryNextLink: true });`,
        '};',
      ].join('\n');
      return { contents, loader: 'js', resolveDir: RESOLVE_DIR };
    });
  },
};
