// cfn-lint on the synthesized template: what CloudFormation's own linter says about the stack we deploy.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '#lib/synth';

interface Finding { Rule: { Id: string }; Level: 'Error' | 'Warning' | 'Informational'; Message: string; Location: { Path: unknown[] } }

/**
 * Warnings we keep, each with why. A finding matches by rule id and the resource's logical id prefix (the part CDK
 * does not hash). Everything else must be fixed in lib/.
 */
const ALLOWED: Array<{ rule: string; resource: RegExp; reason: string }> = [
  {
    rule: 'W3005',
    resource: /^BucketNotificationsHandler050a0587b7544547bf325f094a3db834/,
    reason: 'aws-cdk-lib\'s own S3 notifications handler (a singleton CfnFunction it builds) depends on its role and also reads its ARN; not our construct.',
  },
  {
    rule: 'W3005',
    resource: /^CustomCDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C/,
    reason: 'aws-cdk-lib\'s own BucketDeployment singleton function depends on its role and also reads its ARN; not our construct.',
  },
];

// Debian has no cfn-lint package; it is a Python package (the project's machines come with it, installed by pip).
const INSTALL = 'cfn-lint is not on PATH. Install it with `python3 -m pip install cfn-lint` (Debian packages no cfn-lint), then run the test again.';

function cfnLintVersion(): string | undefined {
  const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0 ? undefined : probe.stdout.trim();
}

let dir: string;
let findings: Finding[];

beforeAll(() => {
  expect(cfnLintVersion(), INSTALL).toBeDefined();
  dir = mkdtempSync(join(tmpdir(), 'loraworks-cfn-lint-'));
  const file = join(dir, 'Loraworks.template.json');
  // Bundling off: cfn-lint reads the template only, never the code assets.
  writeFileSync(file, JSON.stringify(synthesizeTemplate({ bundling: false }), null, 1));
  // cfn-lint exits non-zero whenever it finds anything (2 errors, 4 warnings, 8 informational); the JSON says what.
  let out: string;
  try {
    out = execFileSync('cfn-lint', ['--format', 'json', '--', file], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    if (!failed.stdout || (failed.status ?? 0) & 1) throw new Error(`cfn-lint failed (exit ${failed.status}): ${failed.stderr ?? ''}`);
    out = failed.stdout;
  }
  findings = JSON.parse(out) as Finding[];
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const describeFinding = (f: Finding) => `${f.Rule.Id} at ${f.Location.Path.join('/')}: ${f.Message}`;
const resourceOf = (f: Finding) => (f.Location.Path[0] === 'Resources' ? String(f.Location.Path[1]) : '');
const allowed = (f: Finding) => ALLOWED.some((a) => a.rule === f.Rule.Id && a.resource.test(resourceOf(f)));

describe('cfn-lint on the synthesized template', () => {
  it('finds no error', () => {
    expect(findings.filter((f) => f.Level === 'Error').map(describeFinding)).toEqual([]);
  });

  it('finds no warning beyond the listed ones', () => {
    expect(findings.filter((f) => f.Level === 'Warning' && !allowed(f)).map(describeFinding)).toEqual([]);
  });

  it('lists each kept warning with its reason, and only warnings that still occur', () => {
    for (const a of ALLOWED) {
      expect(a.reason.length, a.rule).toBeGreaterThanOrEqual(40);
      expect(findings.some((f) => f.Rule.Id === a.rule && a.resource.test(resourceOf(f))), `${a.rule} ${a.resource} still occurs`).toBe(true);
    }
  });
});
