import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Root of the repository (infra/local/ is two levels down). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** Where the twin keeps its certificate, Cognito and DynamoDB data between starts. */
export interface StatePaths {
  root: string;
  certs: string;
  cognito: string;
  dynamodb: string;
}

/**
 * Resolves (and creates) the state folder. It is gitignored; deleting it resets the twin.
 * @default root `.sluice/` in the repository, or `SLUICE_STATE_DIR`
 */
export function statePaths(root = process.env.SLUICE_STATE_DIR ?? join(REPO_ROOT, '.sluice')): StatePaths {
  const paths: StatePaths = {
    root,
    certs: join(root, 'certs'),
    cognito: join(root, 'cognito'),
    dynamodb: join(root, 'dynamodb'),
  };
  for (const dir of Object.values(paths)) mkdirSync(dir, { recursive: true });
  return paths;
}
