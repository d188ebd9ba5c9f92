import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Drops `role`'s own resource from `owner`'s DependsOn, keeping every other entry (the role's policies among them).
 * CDK makes a function or state machine depend on its whole role construct, which writes a DependsOn on the role
 * beside one on its default policy; the owner already reads the role's ARN with Fn::GetAtt, so CloudFormation
 * orders them anyway and the entry is redundant (cfn-lint W3005).
 */
export function dropRoleDependsOn(owner: IConstruct, role: IConstruct): void {
  const resource = owner.node.defaultChild;
  const roleResource = role.node.defaultChild;
  if (!(resource instanceof CfnResource) || !(roleResource instanceof CfnResource)) {
    throw new Error(`dropRoleDependsOn needs two L2 constructs with a CloudFormation resource (${owner.node.path}, ${role.node.path}).`);
  }
  const stack = Stack.of(resource);
  // Rendered after synthesis has turned construct dependencies into resource ones, so the list is complete.
  resource.addOverride('DependsOn', Lazy.list({
    produce: () => resource.obtainDependencies()
      .filter((d): d is CfnResource => d instanceof CfnResource && d !== roleResource)
      .map((d) => stack.resolve(d.logicalId) as string)
      .sort(),
  }, { omitEmpty: true }));
}
