// IAM for the local cloud: what each principal of the stack may do, read from the synthesized template (each
// function's role, the state machine's role, their inline and attached policies, and the users the stack makes
// for a principal, such as the dataset link signer) and decided as AWS decides an
// identity-based request: an explicit Deny wins, else an Allow is needed, else it is denied. Services ask
// `authorize(accessKeyId, action, resourceArn)` with the key the request was signed with (local-credentials.ts).
//
// Intrinsics resolve to the local cloud's own ARNs (the table, the two buckets, the state machine, the WebSocket
// API as the local @connections names it, the functions); a reference it cannot resolve matches nothing. Policy
// conditions are not evaluated: a statement with one fails the load, so that nothing is silently allowed.
import { appendFileSync } from 'node:fs';
import type { Resource } from '#lib/cloudformation';
import { functionArn, LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STATE_MACHINE_ARN, localSecretArn } from './lambda-runtime';
import { principalOf } from './local-credentials';
import type { StackTemplate } from '#local/template';

export type IamDecision = { allowed: true } | { allowed: false; message: string; /** The key is none the local cloud issued. */ unrecognized?: true };

/** The principal a state machine's executions act as (its role). */
export const STATES_PRINCIPAL = 'states';
/** The API id and stage the local WebSocket API and its @connections use (ws-gateway.ts). */
export const LOCAL_WEBSOCKET_API = 'local';

interface LocalNames { table: string; datasets: string; artifacts: string }

/** One statement, resolved: patterns as written (`*` and `?` wildcards). */
interface StatementJSON {
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
}

interface PrincipalJSON { arn: string; statements: StatementJSON[] }
interface IamJSON { principals: Record<string, PrincipalJSON> }

/** Managed policies the stack's roles attach, and what they grant locally (nothing: logs are not served). */
const MANAGED_POLICIES: Record<string, StatementJSON[]> = {
  'service-role/AWSLambdaBasicExecutionRole': [],
};

export class LocalIam {
  private readonly matchers: Map<string, { arn: string; statements: CompiledStatement[] }>;
  private readonly allowedPairs = new Set<string>();

  private constructor(private readonly json: IamJSON) {
    this.matchers = new Map(Object.entries(json.principals).map(([name, p]) => [name, { arn: p.arn, statements: p.statements.map(compile) }]));
  }

  static fromTemplate(template: StackTemplate, names: LocalNames): LocalIam {
    return new LocalIam(readTemplate(template, names));
  }

  static fromJSON(json: unknown): LocalIam {
    const value = json as Partial<IamJSON> | undefined;
    if (!value || typeof value.principals !== 'object') throw new Error('LocalIam.fromJSON expects what LocalIam.toJSON() gave.');
    return new LocalIam(value as IamJSON);
  }

  toJSON(): unknown {
    return this.json;
  }

  /** The principals the template gives a role to (function handler names, and `states`). */
  principals(): string[] {
    return [...this.matchers.keys()];
  }

  /** accessKeyId as signed; action like 's3:GetObject'; resource an ARN. Developer key: always allowed. */
  authorize(accessKeyId: string, action: string, resource: string): IamDecision {
    const holder = principalOf(accessKeyId);
    if (!holder) return { allowed: false, unrecognized: true, message: 'The security token included in the request is invalid.' };
    if (holder.kind === 'developer') return { allowed: true };
    const principal = this.matchers.get(holder.name);
    if (!principal) return { allowed: false, unrecognized: true, message: 'The security token included in the request is invalid.' };
    const applies = principal.statements.filter((s) => s.appliesTo(action, resource));
    const denied = (why: string): IamDecision => ({
      allowed: false,
      message: `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
    });
    if (applies.some((s) => s.effect === 'Deny')) return denied('with an explicit deny in an identity-based policy');
    if (!applies.some((s) => s.effect === 'Allow')) return denied(`because no identity-based policy allows the ${action} action`);
    this.record(holder.name, action);
    return { allowed: true };
  }

  /** The (principal, action) pairs allowed so far in this process. */
  allowed(): string[] {
    return [...this.allowedPairs];
  }

  private record(principal: string, action: string) {
    const pair = `${principal} ${action}`;
    if (this.allowedPairs.has(pair)) return;
    this.allowedPairs.add(pair);
    const report = process.env.LORAWORKS_IAM_REPORT;
    if (report) appendFileSync(report, `${pair}\n`);
  }
}

interface CompiledStatement {
  effect: 'Allow' | 'Deny';
  appliesTo(action: string, resource: string): boolean;
}

function compile(s: StatementJSON): CompiledStatement {
  const actions = s.actions?.map((p) => glob(p, 'i'));
  const notActions = s.notActions?.map((p) => glob(p, 'i'));
  const resources = s.resources?.map((p) => glob(p, ''));
  const notResources = s.notResources?.map((p) => glob(p, ''));
  return {
    effect: s.effect,
    appliesTo(action, resource) {
      const actionMatches = actions ? actions.some((r) => r.test(action)) : !notActions!.some((r) => r.test(action));
      const resourceMatches = resources ? resources.some((r) => r.test(resource)) : !notResources!.some((r) => r.test(resource));
      return actionMatches && resourceMatches;
    },
  };
}

const glob = (pattern: string, flags: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);

type Resources = Record<string, Partial<Resource> | undefined>;
/** What an intrinsic resolves to: a string, a list (Fn::Split, Fn::GetAZs), or undefined when it cannot be resolved. */
type Resolved = string | string[] | undefined;

function readTemplate(template: StackTemplate, names: LocalNames): IamJSON {
  const resources = template.resourcesById();
  const resolve = resolver(template, resources, names);
  const roleOf = new Map<string, string>(); // role logical id → principal name
  for (const [id, r] of Object.entries(resources)) {
    if (r?.Type === 'AWS::Lambda::Function' && typeof r.Metadata?.['loraworks:handler'] === 'string') {
      const role = referencedId(r.Properties?.Role);
      if (role) roleOf.set(role, template.handlerOf(id));
    }
    if (r?.Type === 'AWS::StepFunctions::StateMachine') {
      const role = referencedId(r.Properties?.RoleArn);
      if (role) roleOf.set(role, STATES_PRINCIPAL);
    }
  }
  const principals: Record<string, PrincipalJSON> = {};
  for (const [roleId, principal] of roleOf) {
    const role = resources[roleId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`The role of ${principal} (${roleId}) is not an AWS::IAM::Role in the template.`);
    const props = (role.Properties ?? {}) as { RoleName?: string; Policies?: { PolicyDocument: unknown }[]; ManagedPolicyArns?: unknown[] };
    const roleName = typeof props.RoleName === 'string' ? props.RoleName : roleId;
    const documents: unknown[] = (props.Policies ?? []).map((p) => p.PolicyDocument);
    for (const r of Object.values(resources)) {
      if ((r?.Type === 'AWS::IAM::Policy' || r?.Type === 'AWS::IAM::ManagedPolicy')
        && ((r.Properties?.Roles as unknown[] | undefined) ?? []).some((ref) => referencedId(ref) === roleId)) {
        documents.push(r.Properties!.PolicyDocument);
      }
    }
    const statements = documents.flatMap((d) => statementsOf(d, resolve, `${principal}'s role ${roleId}`));
    for (const managed of props.ManagedPolicyArns ?? []) {
      const arn = String(resolve(managed) ?? JSON.stringify(managed));
      const known = Object.entries(MANAGED_POLICIES).find(([suffix]) => arn.endsWith(`:policy/${suffix}`));
      if (!known) throw new Error(`${principal}'s role ${roleId} attaches the managed policy ${arn}, which the local cloud does not know; add what it grants to MANAGED_POLICIES in lib/local/aws/iam.ts.`);
      statements.push(...known[1]);
    }
    principals[principal] = { arn: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${roleName}/${principal}`, statements };
  }
  // A user the stack makes for a principal (the dataset link signer): the policies attached to it.
  for (const [userId, user] of Object.entries(resources)) {
    const principal = user?.Type === 'AWS::IAM::User' ? user.Metadata?.['loraworks:principal'] : undefined;
    if (typeof principal !== 'string') continue;
    const documents = Object.values(resources)
      .filter((r) => r?.Type === 'AWS::IAM::Policy' && ((r.Properties?.Users as unknown[] | undefined) ?? []).some((ref) => referencedId(ref) === userId))
      .map((r) => r!.Properties!.PolicyDocument);
    principals[principal] = {
      arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/${userId}`,
      statements: documents.flatMap((d) => statementsOf(d, resolve, `${principal}'s user ${userId}`)),
    };
  }
  return { principals };
}

function statementsOf(document: unknown, resolve: (v: unknown) => Resolved, owner: string): StatementJSON[] {
  const raw = (document as { Statement?: unknown } | undefined)?.Statement;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Record<string, unknown>[];
  return list.flatMap((s): StatementJSON[] => {
    if (s.Condition !== undefined) {
      throw new Error(`A policy statement of ${owner} has a Condition (${Object.keys(s.Condition as object).join(', ')}); the local cloud does not evaluate conditions. Teach lib/local/aws/iam.ts the operator, or drop the condition.`);
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new Error(`A policy statement of ${owner} has Effect ${JSON.stringify(s.Effect)}; expected Allow or Deny.`);
    const strings = (v: unknown) => (Array.isArray(v) ? v : [v]).map((x) => resolve(x));
    const statement: StatementJSON = { effect: s.Effect };
    if (s.Action !== undefined) statement.actions = strings(s.Action).flat().filter((x): x is string => typeof x === 'string');
    else if (s.NotAction !== undefined) statement.notActions = strings(s.NotAction).flat().filter((x): x is string => typeof x === 'string');
    else throw new Error(`A policy statement of ${owner} names neither Action nor NotAction.`);
    if (s.Resource !== undefined) {
      // A resource that cannot be resolved matches nothing.
      statement.resources = strings(s.Resource).flat().filter((x): x is string => typeof x === 'string');
    } else if (s.NotResource !== undefined) {
      const excluded = strings(s.NotResource);
      // An exclusion that cannot be resolved: an Allow applies to nothing (deny), a Deny to everything.
      if (excluded.some((x) => x === undefined)) return s.Effect === 'Allow' ? [] : [{ ...statement, resources: ['*'] }];
      statement.notResources = excluded.flat() as string[];
    } else {
      throw new Error(`A policy statement of ${owner} names neither Resource nor NotResource.`);
    }
    return [statement];
  });
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` names. */
function referencedId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  if (Array.isArray(v['Fn::GetAtt'])) return String(v['Fn::GetAtt'][0]);
  return undefined;
}

function resolver(template: StackTemplate, resources: Resources, names: LocalNames) {
  const tableArn = `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${names.table}`;
  const stateMachineArn = LOCAL_STATE_MACHINE_ARN;
  const bucketOf = (id: string) => (/Datasets/.test(id) ? names.datasets : /Artifacts/.test(id) ? names.artifacts : undefined);
  const handlerOf = (id: string) => {
    try {
      return template.handlerOf(id);
    } catch {
      return undefined;
    }
  };
  // The local cloud names each secret after its logical id (cloud.ts).
  const secretArn = (id: string) => localSecretArn(id);

  function ref(id: string): string | undefined {
    switch (id) {
      case 'AWS::Partition': return 'aws';
      case 'AWS::Region': return LOCAL_REGION;
      case 'AWS::AccountId': return LOCAL_ACCOUNT;
      case 'AWS::URLSuffix': return 'amazonaws.com';
    }
    const r = resources[id];
    switch (r?.Type) {
      case 'AWS::DynamoDB::Table': return names.table;
      case 'AWS::S3::Bucket': return bucketOf(id);
      case 'AWS::Lambda::Function': { const h = handlerOf(id); return h && functionArn(h); }
      case 'AWS::StepFunctions::StateMachine': return stateMachineArn;
      case 'AWS::SecretsManager::Secret': return secretArn(id);
      case 'AWS::ApiGatewayV2::Api': return LOCAL_WEBSOCKET_API;
      case 'AWS::IAM::Role': return typeof r.Properties?.RoleName === 'string' ? r.Properties.RoleName : id;
      default: return undefined;
    }
  }

  function getAtt(id: string, attribute: string): string | undefined {
    const r = resources[id];
    switch (`${r?.Type}.${attribute}`) {
      case 'AWS::DynamoDB::Table.Arn': return tableArn;
      case 'AWS::DynamoDB::Table.StreamArn': return `${tableArn}/stream/*`;
      case 'AWS::S3::Bucket.Arn': { const b = bucketOf(id); return b && `arn:aws:s3:::${b}`; }
      case 'AWS::Lambda::Function.Arn': { const h = handlerOf(id); return h && functionArn(h); }
      case 'AWS::StepFunctions::StateMachine.Arn': return stateMachineArn;
      case 'AWS::IAM::Role.Arn': return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${ref(id)}`;
      case 'AWS::Logs::LogGroup.Arn': return `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:log-group:${id}:*`;
      default: return undefined;
    }
  }

  function sub(text: string, variables: Record<string, unknown>): string | undefined {
    let unresolved = false;
    const out = text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      const value = name in variables ? resolve(variables[name])
        : name.includes('.') ? getAtt(name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)) : ref(name);
      if (typeof value !== 'string') unresolved = true;
      return typeof value === 'string' ? value : '';
    }).replace(/\$\{!/g, '${');
    return unresolved ? undefined : out;
  }

  function resolve(value: unknown): Resolved {
    if (typeof value === 'string') return value;
    if (!value || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      const items = value.map(resolve);
      return items.every((i) => typeof i === 'string') ? (items as string[]) : undefined;
    }
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return ref(v.Ref);
    if (Array.isArray(v['Fn::GetAtt'])) return getAtt(String(v['Fn::GetAtt'][0]), String(v['Fn::GetAtt'][1]));
    if (Array.isArray(v['Fn::Join'])) {
      const [delimiter, parts] = v['Fn::Join'] as [string, unknown];
      const list = Array.isArray(parts) ? parts.map(resolve) : resolve(parts);
      if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) return undefined;
      return (list as string[]).join(delimiter);
    }
    if (v['Fn::Sub'] !== undefined) {
      const [text, variables] = Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'] as [string, Record<string, unknown>] : [v['Fn::Sub'] as string, {}];
      return sub(text, variables);
    }
    if (Array.isArray(v['Fn::Split'])) {
      const [delimiter, source] = v['Fn::Split'] as [string, unknown];
      const text = resolve(source);
      return typeof text === 'string' ? text.split(delimiter) : undefined;
    }
    if (Array.isArray(v['Fn::Select'])) {
      const [index, list] = v['Fn::Select'] as [unknown, unknown];
      const items = resolve(list);
      const i = typeof index === 'number' ? index : Number(resolve(index)); // CDK writes the index as a number
      return Array.isArray(items) ? items[i] : undefined;
    }
    return undefined;
  }

  return resolve;
}

/** Who may ask: LocalIam, or any engine of the same shape. */
export interface Authorizer {
  authorize(accessKeyId: string, action: string, resource: string): IamDecision;
}

/** Whether the principal holding this access key may do the IAM action on the resource (LocalIam decides). */
export type Authorize = Authorizer['authorize'];
