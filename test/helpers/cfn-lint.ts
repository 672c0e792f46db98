import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One finding of cfn-lint's `--format json` output. */
export interface CfnLintFinding {
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

/**
 * Runs cfn-lint (AWS's CloudFormation linter, the Python package) on a template, against
 * the given regions' resource specifications, and returns every finding. A missing
 * cfn-lint fails loudly: the check is never skipped.
 */
export async function cfnLint(template: unknown, regions: string[] = ['us-east-1']): Promise<CfnLintFinding[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cfn-lint-'));
  const path = join(dir, 'template.json');
  writeFileSync(path, JSON.stringify(template, null, 1));
  try {
    // Exit codes are bit flags (2 errors, 4 warnings, 8 informational); the JSON says which.
    const { stdout } = await run('cfn-lint', ['--format', 'json', '--non-zero-exit-code', 'none', '--regions', ...regions, '--', path], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as CfnLintFinding[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('cfn-lint is not installed: `pip install cfn-lint` (the machine image ships 1.51), see docs/deploy.md', { cause: error });
    }
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `E3002 Resources/Bucket/Properties: message` lines, one per finding, for a readable assertion. */
export function describeFindings(findings: CfnLintFinding[]): string[] {
  return findings.map((f) => `${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`);
}
