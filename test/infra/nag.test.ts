import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#lib/synth';
import type { LoraworksStack } from '#lib/loraworks-stack';

// cdk-nag v3 is a CDK policy-validation plugin: findings are not Annotations but violations of its report,
// and acknowledgments are Validations.of(construct).acknowledge({ id, reason }).
const findings = (app: App) => {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
  const list = (severity: string) => report.violations.filter((v) => v.severity === severity)
    .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  return { errors: list('error'), warnings: list('warning') };
};

function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const out: Array<{ path: string; id: string; reason: string }> = [];
  const visit = (c: IConstruct) => {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) out.push({ path: c.node.path, id, reason });
    }
    c.node.children.forEach(visit);
  };
  visit(root);
  return out;
}

describe('cdk-nag AWS Solutions checks', () => {
  let app: App;
  let stack: LoraworksStack;
  beforeAll(() => {
    ({ app, stack } = buildApp({ bundling: false }));
    app.synth();
  });

  it('leaves no unacknowledged error', () => {
    expect(findings(app).errors).toEqual([]);
  });

  it('leaves no unacknowledged warning', () => {
    expect(findings(app).warnings).toEqual([]);
  });

  it('reports nothing through Annotations either (the cdk-nag v2 channel)', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('gives every acknowledgment its own specific reason', () => {
    const acks = acknowledgments(app).filter((a) => /AwsSolutions-/.test(a.id));
    expect(acks.length).toBeGreaterThan(10);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(40);
      expect(ack.reason, `${ack.id} at ${ack.path}`).not.toMatch(/^(suppress|todo|n\/a|not needed|ok)/i);
    }
    // Findings are acknowledged one by one, never a whole IAM rule at once.
    expect(acks.filter((a) => /AwsSolutions-IAM[45]$/.test(a.id.replace(/^annotation::/i, '')))).toEqual([]);
  });

  it('still passes as a synth-time plugin when the stack has a concrete account and region', () => {
    const { app: concrete } = buildApp({
      bundling: false,
      stackProps: { env: { account: '123456789012', region: 'eu-west-1' } },
    });
    Validations.of(concrete).addPlugins(new AwsSolutionsChecks(concrete));
    expect(() => concrete.synth()).not.toThrow();
    expect(findings(concrete)).toEqual({ errors: [], warnings: [] });
  });
});
