/**
 * What zod's `locales` namespace holds in a Lambda bundle: English only, the locale zod
 * configures by default and the only one this code uses (z.locales.xx is undefined for any
 * other). zod-locales-plugin.ts puts this module in place of zod's own locales/index.js.
 */
export { default as en } from 'zod/v4/locales/en.js';
