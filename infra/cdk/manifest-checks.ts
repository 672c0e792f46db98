/**
 * Checks the gateway manifest before the stack is built: every file it names exists and
 * every cross-reference (a data source's table, a resolver's pipeline function, a
 * schedule's function, ...) resolves. All problems are collected into one message so a
 * broken manifest is fixed in one pass.
 *
 * @example
 * ```ts
 * assertValidManifest(gateway, REPO_ROOT); // throws ManifestError listing every problem
 * ```
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { GatewayManifest } from '../gateway.js';

/** A manifest the stack cannot build; `problems` lists each one. */
export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(`The gateway manifest has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
    this.name = 'ManifestError';
  }
}

/** Every file path the manifest names, with what it is for. */
export function manifestFiles(manifest: GatewayManifest): { file: string; role: string }[] {
  return [
    { file: manifest.graphql.schema, role: 'GraphQL schema' },
    ...manifest.events.namespaces.flatMap((ns) => (ns.codeHandlers ? [{ file: ns.codeHandlers, role: `namespace ${ns.name} handlers` }] : [])),
    ...manifest.graphql.resolvers.map((r) => ({ file: r.code, role: `resolver ${r.typeName}.${r.fieldName}` })),
    ...manifest.graphql.functions.map((f) => ({ file: f.code, role: `pipeline function ${f.name}` })),
    ...manifest.functions.map((f) => ({ file: f.entry, role: `Lambda function ${f.name}` })),
  ];
}

function duplicates(names: string[]): string[] {
  return [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
}

/** Lists the manifest's problems; empty when the stack can be built from it. */
export function manifestProblems(manifest: GatewayManifest, rootDir: string): string[] {
  const problems: string[] = [];
  const tables = new Set(manifest.tables.map((t) => t.name));
  const functions = new Set(manifest.functions.map((f) => f.name));
  const dataSources = new Map(manifest.dataSources.map((d) => [d.name, d]));
  const namespaces = new Set(manifest.events.namespaces.map((ns) => ns.name));
  const pipelineFunctions = new Set(manifest.graphql.functions.map((f) => f.name));
  const need = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };

  for (const { file, role } of manifestFiles(manifest)) {
    need(existsSync(isAbsolute(file) ? file : resolve(rootDir, file)), `${role}: file ${file} does not exist`);
  }
  for (const [kind, names] of [
    ['table', manifest.tables.map((t) => t.name)],
    ['function', manifest.functions.map((f) => f.name)],
    ['data source', manifest.dataSources.map((d) => d.name)],
    ['namespace', manifest.events.namespaces.map((ns) => ns.name)],
    ['pipeline function', manifest.graphql.functions.map((f) => f.name)],
    ['resolver', manifest.graphql.resolvers.map((r) => `${r.typeName}.${r.fieldName}`)],
    ['schedule', (manifest.schedules ?? []).map((s) => s.name)],
  ] as const) {
    for (const name of duplicates([...names])) problems.push(`${kind} ${name} is declared more than once`);
  }
  for (const ds of manifest.dataSources) {
    if (ds.type === 'AMAZON_DYNAMODB') need(tables.has(ds.table), `data source ${ds.name}: unknown table ${ds.table}`);
    if (ds.type === 'AWS_LAMBDA') need(functions.has(ds.functionName), `data source ${ds.name}: unknown function ${ds.functionName}`);
  }
  for (const fn of manifest.graphql.functions) {
    need(dataSources.has(fn.dataSource), `pipeline function ${fn.name}: unknown data source ${fn.dataSource}`);
  }
  for (const r of manifest.graphql.resolvers) {
    for (const step of r.pipeline) need(pipelineFunctions.has(step), `resolver ${r.typeName}.${r.fieldName}: unknown pipeline function ${step}`);
  }
  for (const ns of manifest.events.namespaces) {
    if (ns.handlerDataSource) {
      const ds = dataSources.get(ns.handlerDataSource);
      need(Boolean(ds), `namespace ${ns.name}: unknown data source ${ns.handlerDataSource}`);
      need(!ds || ds.type !== 'NONE', `namespace ${ns.name}: Events APIs have no NONE data source (${ns.handlerDataSource})`);
      need(Boolean(ns.codeHandlers), `namespace ${ns.name}: handlerDataSource needs codeHandlers`);
    }
    need(
      !(ns.codeHandlers && ns.directHandlers?.onPublish && ns.directHandlers?.onSubscribe),
      `namespace ${ns.name}: codeHandlers would never run, both onPublish and onSubscribe are direct Lambda handlers (the CDK's ChannelNamespace refuses this)`,
    );
    for (const direct of [ns.directHandlers?.onPublish, ns.directHandlers?.onSubscribe]) {
      if (direct) need(functions.has(direct.functionName), `namespace ${ns.name}: unknown direct handler function ${direct.functionName}`);
    }
  }
  for (const fn of manifest.functions) {
    for (const table of fn.tables) need(tables.has(table), `function ${fn.name}: unknown table ${table}`);
    for (const ns of fn.publishesTo ?? []) need(namespaces.has(ns), `function ${fn.name}: unknown namespace ${ns}`);
    for (const callee of fn.invokes ?? []) need(functions.has(callee), `function ${fn.name}: unknown function ${callee} to invoke`);
  }
  for (const schedule of manifest.schedules ?? []) {
    need(functions.has(schedule.functionName), `schedule ${schedule.name}: unknown function ${schedule.functionName}`);
    need(Number.isInteger(schedule.everyMinutes) && schedule.everyMinutes >= 1, `schedule ${schedule.name}: everyMinutes must be a whole number ≥ 1`);
  }
  return problems;
}

/** Throws {@link ManifestError} listing every problem of the manifest. */
export function assertValidManifest(manifest: GatewayManifest, rootDir: string): void {
  const problems = manifestProblems(manifest, rootDir);
  if (problems.length > 0) throw new ManifestError(problems);
}
