/**
 * What changed between two versions of an app (pure): the fields that differ, and a unified
 * diff (the `diff -u` format, as produced by the `diff` library) of the script source, with
 * who made the newer version and when in its header.
 */
import { createTwoFilesPatch } from 'diff';
import type { AppVersion } from '../domain.js';
import { APP_FIELDS, type VersionDiff } from '../schemas.js';

/** The source a version runs, as diffed: its script's, or nothing. */
function sourceOf(version: AppVersion): string {
  return version.script?.source ?? '';
}

/** The file name of a version's source in the diff's headers, e.g. `v3/script.py`. */
function fileOf(version: AppVersion): string {
  const extension = { sh: 'sh', python: 'py', node: 'js' }[version.script?.language ?? 'sh'];
  return `v${version.version}/script.${extension}`;
}

/** `against` → `version`: changed fields and the unified diff of the source (empty when it did not change). */
export function versionDiff(version: AppVersion, against: AppVersion): VersionDiff {
  const changedFields = APP_FIELDS.filter((field) => JSON.stringify(version[field]) !== JSON.stringify(against[field]));
  const sourceChanged = sourceOf(version) !== sourceOf(against);
  return {
    appId: version.appId,
    version: version.version,
    against: against.version,
    changedBy: version.updatedBy,
    changedAt: version.updatedAt,
    changedFields,
    diff: sourceChanged
      ? createTwoFilesPatch(
          fileOf(against),
          fileOf(version),
          sourceOf(against),
          sourceOf(version),
          against.updatedAt,
          `${version.updatedAt} by ${version.updatedBy}`,
        )
      : '',
  };
}
