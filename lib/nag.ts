import { type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding (rule id, or `Rule[Finding]` for a single finding) on a construct and
 * everything under it. cdk-nag v3 reads these through CDK's Validations; the reason must say why the finding
 * is acceptable here, not restate the rule.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`Acknowledging ${id} needs a specific reason.`);
  Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag writes an ARN of a resource in a finding id: `<LogicalId.Arn>`. */
export function arnInFinding(resource: IConstruct): string {
  return `<${logicalIdOf(resource)}.Arn>`;
}

/** How cdk-nag writes the stack's region and account in a finding id: the literal when known, else the pseudo parameter. */
export function envInFinding(scope: IConstruct): { region: string; account: string } {
  const stack = Stack.of(scope);
  return {
    region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
    account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
  };
}

/** Logical id of a resource (or of an L2 construct's main resource). */
export function logicalIdOf(resource: IConstruct): string {
  const cfn = (resource.node.defaultChild ?? resource) as CfnElement;
  return Stack.of(resource).getLogicalId(cfn);
}

/** The table grants of `scope`'s functions include `table/index/*`: they query GSI1. */
export function acknowledgeTableIndexes(scope: IConstruct, table: IConstruct): void {
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${arnInFinding(table)}/index/*]`,
    'Table grants include the table\'s own indexes (GSI1: job lookup by id); no other table is reachable.');
}
