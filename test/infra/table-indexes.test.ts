/**
 * The table's index upgrade is safe to deploy step by step (shared/table-indexes.ts,
 * docs/upgrading-indexes.md): step 0's template declares exactly the previous release's GSIs
 * (a checked-in copy of that release's template), each step's template differs from the one before
 * by one GSI created or deleted (CloudFormation's limit per update) and never changes a GSI in
 * place, the functions of each step read only indexes the previous step finished creating, and
 * those still running during a deploy (the previous step's) never lose the index they read.
 */
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Data } from '../../infra/data.js';
import { ENV } from '../../shared/env.js';
import { INDEX_PROJECTIONS, INDEXES } from '../../shared/table.js';
import { FINAL_INDEX_STEP, createTableInput, indexesAt, readsAt } from '../../shared/table-indexes.js';

interface Gsi {
  IndexName: string;
  KeySchema: unknown;
  Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
}

const PREVIOUS_RELEASE: Gsi[] = JSON.parse(readFileSync(new URL('./fixtures/previous-release-gsis.json', import.meta.url), 'utf8'));

/** The GSIs the Data construct declares at `step` (a stack of the table alone), by name, and the environment it hands the functions. */
function synth(step?: number): { gsis: Map<string, Gsi>; environment: Record<string, string> } {
  const stack = new Stack(new App(), 'Table');
  const data = new Data(stack, 'Data', { finishedRunTtlDays: 90, tableIndexStep: step });
  const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table')) as { Properties: { GlobalSecondaryIndexes: Gsi[] } }[];
  return { gsis: new Map(table!.Properties.GlobalSecondaryIndexes.map((gsi) => [gsi.IndexName, gsi])), environment: data.environment };
}

const steps = Array.from({ length: FINAL_INDEX_STEP + 1 }, (_, step) => step);
const templates = steps.map((step) => synth(step).gsis);

describe('the index upgrade', () => {
  it("starts from the previous release's GSIs, exactly as its template declared them", () => {
    expect([...templates[0]!.values()]).toEqual(PREVIOUS_RELEASE);
  });

  it.each(steps.slice(1))('step %i creates or deletes one GSI and changes none in place', (step) => {
    const [before, after] = [templates[step - 1]!, templates[step]!];
    const added = [...after.keys()].filter((name) => !before.has(name));
    const removed = [...before.keys()].filter((name) => !after.has(name));
    expect(added.length + removed.length).toBe(1);
    for (const [name, gsi] of after) if (before.has(name)) expect(gsi).toEqual(before.get(name));
  });

  it.each(steps)('step %i: its functions read indexes already created, and the previous step’s functions keep theirs', (step) => {
    const { environment } = synth(step);
    expect(environment[ENV.TABLE_INDEX_STEP]).toBe(String(step));
    const reads = Object.values(readsAt(step)).map((index) => index.name);
    for (const name of reads) {
      expect(templates[step]!.has(name), `${name} declared at step ${step}`).toBe(true);
      expect(templates[Math.max(0, step - 1)]!.has(name), `${name} created before step ${step}`).toBe(true);
    }
    if (step > 0)
      for (const index of Object.values(readsAt(step - 1))) expect(templates[step]!.has(index.name), `${index.name} kept at step ${step}`).toBe(true);
  });

  it("ends at this release's indexes: each logical index once, projecting only what its listings evaluate, within DynamoDB's 100 projected attributes", () => {
    const final = synth();
    expect(final.environment[ENV.TABLE_INDEX_STEP]).toBe(String(FINAL_INDEX_STEP));
    expect([...final.gsis.values()]).toEqual(createTableInput('t').GlobalSecondaryIndexes);
    expect(
      indexesAt(FINAL_INDEX_STEP)
        .map((index) => index.serves)
        .sort(),
    ).toEqual(Object.keys(INDEXES).sort());
    for (const index of indexesAt(FINAL_INDEX_STEP)) {
      const projection = INDEX_PROJECTIONS[index.serves];
      expect(final.gsis.get(index.name)!.Projection).toEqual(
        projection === 'ALL' ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...projection] },
      );
    }
    const projected = Object.values(INDEX_PROJECTIONS).flatMap((projection) => (projection === 'ALL' ? [] : projection));
    expect(projected.length).toBeLessThanOrEqual(100);
    // Reads at the last step are this release's indexes.
    expect(
      Object.values(readsAt(FINAL_INDEX_STEP))
        .map((index) => index.name)
        .sort(),
    ).toEqual(
      indexesAt(FINAL_INDEX_STEP)
        .map((index) => index.name)
        .sort(),
    );
  });

  it('refuses a step outside the upgrade', () => {
    expect(() => indexesAt(FINAL_INDEX_STEP + 1)).toThrow(RangeError);
    expect(() => indexesAt(-1)).toThrow(RangeError);
  });
});
