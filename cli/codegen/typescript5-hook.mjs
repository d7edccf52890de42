// Resolves `typescript` to TypeScript 5 (the `typescript5` alias) for the code generator only:
// openapi-typescript prints with TypeScript's JavaScript API, which TypeScript 7 (the project's
// compiler, native) does not have.
export async function resolve(specifier, context, next) {
  return next(specifier === 'typescript' ? 'typescript5' : specifier, context);
}
