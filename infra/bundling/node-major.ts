/**
 * The one Node.js major of the project: the Lambda functions' runtime (nodejs24.x, infra/function.ts),
 * the bundles' esbuild target, and the Node that dev mode, the tests and CI run on (the `node`
 * package at 24.x in package.json's devDependencies installs it, and npm scripts put it first on
 * PATH). AWS SDK v3 releases after the first week of January 2027 need Node >= 22, and Lambda
 * deprecates nodejs22.x on 30 April 2027 (Lambda runtimes, "Runtime deprecation policy").
 */
export const NODE_MAJOR = 24;
