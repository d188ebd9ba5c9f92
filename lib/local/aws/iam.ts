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
import { functionArn, LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STATE_MACHINE_ARN, localQueueArn, localRoleArn, localRoleId, localScheduleGroupArn, localSecretArn, localUserId } from './lambda-runtime';
import { assumedRoleSession, principalOf, type AssumedRoleSession } from './local-credentials';
import type { StackTemplate } from '#local/template';

export type IamDecision = { allowed: true } | { allowed: false; message: string; /** The key is none the local cloud issued. */ unrecognized?: true };

/** The principal a state machine's executions act as (its role). */
export const STATES_PRINCIPAL = 'states';

/** The decision on a key (or session token) the local cloud never issued, worded as AWS words it. */
const unrecognizedKey = (): IamDecision => ({ allowed: false, unrecognized: true, message: 'The security token included in the request is invalid.' });
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

interface PrincipalJSON {
  arn: string;
  statements: StatementJSON[];
  /** What S3 records as the writer (userIdentity.principalId): `AWS:<RoleId>:<session>` for a role, `AWS:<UserId>` for a user. */
  principalId: string;
  /** The ARN a trust policy names this principal by (its role's, or the user's). */
  trustArn: string;
}
/** A role that may be assumed with STS (its trust policy names AWS principals) or by a service the local cloud plays
 * (SERVICES_ACTING_AS_ROLES), by logical id. */
interface RoleJSON {
  arn: string;
  name: string;
  roleId: string;
  /** The principal ARNs its trust policy allows sts:AssumeRole. */
  trusted: string[];
  /** The services (of SERVICES_ACTING_AS_ROLES) its trust policy allows sts:AssumeRole. */
  services?: string[];
  maxSessionSeconds: number;
  statements: StatementJSON[];
}
interface IamJSON { principals: Record<string, PrincipalJSON>; roles: Record<string, RoleJSON> }

/** The developer key's identity: the account's administrator user. */
const DEVELOPER_ID = `AWS:${localUserId('developer')}`;

/** Services the local cloud plays that act with a role of the stack, as AWS's do: the local Scheduler invokes a
 * schedule's target and sends its dead letters as the schedule's execution role (scheduler.amazonaws.com). */
export const SERVICES_ACTING_AS_ROLES = ['scheduler.amazonaws.com'] as const;

/** Managed policies the stack's roles attach, and what they grant locally (nothing: logs are not served). */
const MANAGED_POLICIES: Record<string, StatementJSON[]> = {
  'service-role/AWSLambdaBasicExecutionRole': [],
};

export class LocalIam {
  private readonly matchers: Map<string, { arn: string; statements: CompiledStatement[] }>;
  private readonly roleMatchers: Map<string, CompiledStatement[]>;
  private readonly sessionPolicies = new Map<string, CompiledStatement[]>();
  private readonly allowedPairs = new Set<string>();

  private constructor(private readonly json: IamJSON) {
    this.matchers = new Map(Object.entries(json.principals).map(([name, p]) => [name, { arn: p.arn, statements: p.statements.map(compile) }]));
    this.roleMatchers = new Map(Object.entries(json.roles ?? {}).map(([id, r]) => [id, r.statements.map(compile)]));
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

  /**
   * accessKeyId as signed; action like 's3:GetObject'; resource an ARN; the request's session token, which an
   * assumed-role key needs (a session may do what its role's policies and its session policy both allow).
   * Developer key: always allowed.
   */
  authorize(accessKeyId: string, action: string, resource: string, sessionToken?: string): IamDecision {
    const holder = principalOf(accessKeyId);
    if (!holder) return unrecognizedKey();
    if (holder.kind === 'developer') return { allowed: true };
    if (holder.kind === 'assumed-role') return this.authorizeSession(accessKeyId, sessionToken, action, resource);
    const principal = this.matchers.get(holder.name);
    if (!principal) return unrecognizedKey();
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

  /**
   * Whether a service acting with a role (the local Scheduler with a schedule's RoleArn) may do `action` on
   * `resource`: the role must be one of the template's, trust that service, and its policies allow the action.
   * Trust-policy conditions (aws:SourceAccount, aws:SourceArn) are not evaluated: only the stack's schedules exist.
   */
  authorizeServiceRole(service: string, roleArn: string, action: string, resource: string): IamDecision {
    const role = this.assumableRole(roleArn);
    const sessionArn = `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${roleArn.slice(roleArn.lastIndexOf('/') + 1)}/${service.split('.')[0]}`;
    if (!role?.services?.includes(service)) {
      return { allowed: false, message: `${service} is not authorized to perform: sts:AssumeRole on resource: ${roleArn} (no role of the stack by that ARN trusts ${service}).` };
    }
    const applies = this.roleMatchers.get(role.id)!.filter((st) => st.appliesTo(action, resource));
    const denied = (why: string): IamDecision => ({ allowed: false, message: `User: ${sessionArn} is not authorized to perform: ${action} on resource: ${resource} ${why}` });
    if (applies.some((st) => st.effect === 'Deny')) return denied('with an explicit deny in an identity-based policy');
    if (!applies.some((st) => st.effect === 'Allow')) return denied(`because no identity-based policy allows the ${action} action`);
    this.record(`role:${role.id}`, action);
    return { allowed: true };
  }

  /** The role of an ARN that STS may hand sessions of, with its logical id. */
  assumableRole(roleArn: string): (RoleJSON & { id: string }) | undefined {
    const found = Object.entries(this.json.roles ?? {}).find(([, r]) => r.arn === roleArn);
    return found && { ...found[1], id: found[0] };
  }

  /**
   * Whether the caller may assume the role, as STS decides: its own policies must allow sts:AssumeRole on the
   * role, and the role's trust policy must name it (the developer key too: a trust policy that names only a
   * function's role trusts no one else).
   */
  authorizeAssumeRole(accessKeyId: string, sessionToken: string | undefined, roleArn: string): IamDecision {
    const caller = this.callerArn(accessKeyId, sessionToken);
    if (!caller) return unrecognizedKey();
    const role = this.assumableRole(roleArn);
    const refused: IamDecision = { allowed: false, message: `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}` };
    if (!role) return refused;
    const trustedBy = (arn: string) => arn === caller.trustArn || arn === `arn:aws:iam::${LOCAL_ACCOUNT}:root` || arn === LOCAL_ACCOUNT;
    if (!role.trusted.some(trustedBy)) return refused;
    const decision = this.authorize(accessKeyId, 'sts:AssumeRole', roleArn, sessionToken);
    return decision.allowed ? decision : refused;
  }

  /** What S3 records as the writer of an object put with this key (and token): userIdentity.principalId. */
  principalId(accessKeyId: string, sessionToken?: string): string | undefined {
    const holder = principalOf(accessKeyId);
    if (!holder) return undefined;
    if (holder.kind === 'developer') return DEVELOPER_ID;
    if (holder.kind === 'principal') return this.json.principals[holder.name]?.principalId;
    const session = assumedRoleSession(accessKeyId, sessionToken);
    const role = session && this.json.roles?.[session.role];
    return role ? `AWS:${role.roleId}:${session.sessionName}` : undefined;
  }

  private callerArn(accessKeyId: string, sessionToken: string | undefined): { arn: string; trustArn: string } | undefined {
    const holder = principalOf(accessKeyId);
    if (!holder) return undefined;
    if (holder.kind === 'developer') return { arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/developer`, trustArn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/developer` };
    if (holder.kind === 'principal') {
      const p = this.json.principals[holder.name];
      return p && { arn: p.arn, trustArn: p.trustArn };
    }
    const session = assumedRoleSession(accessKeyId, sessionToken);
    return session && { arn: sessionArn(session), trustArn: session.roleArn };
  }

  private authorizeSession(accessKeyId: string, token: string | undefined, action: string, resource: string): IamDecision {
    const session = assumedRoleSession(accessKeyId, token);
    const role = session && this.roleMatchers.get(session.role);
    if (!session || !role) return unrecognizedKey();
    if (session.expiresAt.getTime() <= Date.now()) return { allowed: false, message: 'The security token included in the request is expired.' };
    const denied = (why: string): IamDecision => ({ allowed: false, message: `User: ${sessionArn(session)} is not authorized to perform: ${action} on resource: ${resource} ${why}` });
    const roleApplies = role.filter((st) => st.appliesTo(action, resource));
    const sessionApplies = session.policy === undefined ? undefined : this.sessionPolicy(session.policy).filter((st) => st.appliesTo(action, resource));
    if (roleApplies.some((st) => st.effect === 'Deny')) return denied('with an explicit deny in an identity-based policy');
    if (sessionApplies?.some((st) => st.effect === 'Deny')) return denied('with an explicit deny in a session policy');
    if (!roleApplies.some((st) => st.effect === 'Allow')) return denied(`because no identity-based policy allows the ${action} action`);
    if (sessionApplies && !sessionApplies.some((st) => st.effect === 'Allow')) return denied(`because no session policy allows the ${action} action`);
    this.record(`role:${session.role}`, action);
    return { allowed: true };
  }

  private sessionPolicy(text: string): CompiledStatement[] {
    let compiled = this.sessionPolicies.get(text);
    if (!compiled) {
      compiled = sessionPolicyStatements(text).map(compile);
      this.sessionPolicies.set(text, compiled);
    }
    return compiled;
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
    principals[principal] = {
      arn: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${roleName}/${principal}`, statements,
      principalId: `AWS:${localRoleId(roleId)}:${principal}`, trustArn: localRoleArn(roleName),
    };
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
      principalId: `AWS:${localUserId(userId)}`, trustArn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/${userId}`,
    };
  }
  // Roles STS hands sessions of (those whose trust policy names AWS principals), and those a service the local cloud
  // plays acts with (SERVICES_ACTING_AS_ROLES); roles of other services (Lambda's, CDK's providers') are not read here.
  const roles: Record<string, RoleJSON> = {};
  for (const [roleId, role] of Object.entries(resources)) {
    if (role?.Type !== 'AWS::IAM::Role') continue;
    const props = (role.Properties ?? {}) as { RoleName?: string; AssumeRolePolicyDocument?: { Statement?: unknown }; Policies?: { PolicyDocument: unknown }[]; MaxSessionDuration?: number };
    const trust = [props.AssumeRolePolicyDocument?.Statement ?? []].flat() as { Effect?: string; Action?: unknown; Principal?: { AWS?: unknown } }[];
    const trusted = trust
      .filter((st) => st.Effect === 'Allow' && [st.Action].flat().includes('sts:AssumeRole') && st.Principal?.AWS !== undefined)
      .flatMap((st) => [st.Principal!.AWS].flat().map((p) => resolve(p)))
      .flat()
      .filter((arn): arn is string => typeof arn === 'string');
    const services = trust
      .filter((st) => st.Effect === 'Allow' && [st.Action].flat().includes('sts:AssumeRole'))
      .flatMap((st) => [(st.Principal as { Service?: unknown } | undefined)?.Service ?? []].flat())
      .filter((svc): svc is (typeof SERVICES_ACTING_AS_ROLES)[number] => (SERVICES_ACTING_AS_ROLES as readonly unknown[]).includes(svc));
    if (trusted.length === 0 && services.length === 0) continue;
    const name = typeof props.RoleName === 'string' ? props.RoleName : roleId;
    const documents: unknown[] = (props.Policies ?? []).map((p) => p.PolicyDocument);
    for (const r of Object.values(resources)) {
      if ((r?.Type === 'AWS::IAM::Policy' || r?.Type === 'AWS::IAM::ManagedPolicy')
        && ((r.Properties?.Roles as unknown[] | undefined) ?? []).some((ref) => referencedId(ref) === roleId)) {
        documents.push(r.Properties!.PolicyDocument);
      }
    }
    roles[roleId] = {
      arn: localRoleArn(name), name, roleId: localRoleId(roleId), trusted, ...(services.length ? { services } : {}), maxSessionSeconds: props.MaxSessionDuration ?? 3600,
      statements: documents.flatMap((d) => statementsOf(d, resolve, `role ${roleId}`)),
    };
  }
  return { principals, roles };
}

const sessionArn = (session: AssumedRoleSession) =>
  `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${session.roleArn.slice(session.roleArn.lastIndexOf('/') + 1)}/${session.sessionName}`;

/** Why a session policy is no policy the local STS takes, or null (STS: MalformedPolicyDocument). */
export function sessionPolicyProblem(text: string): string | null {
  try {
    sessionPolicyStatements(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A session policy's statements: literal strings only (no intrinsics), no conditions. */
function sessionPolicyStatements(text: string): StatementJSON[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error('Syntax errors in policy: the session policy is not JSON.');
  }
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  if (statements === undefined || (typeof statements !== 'object')) throw new Error('The session policy has no Statement.');
  const literal = (v: unknown) => ([v].flat().every((x) => typeof x === 'string') ? v : (() => { throw new Error('Policy actions and resources are strings.'); })());
  for (const st of [statements].flat() as Record<string, unknown>[]) {
    for (const field of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) if (st[field] !== undefined) literal(st[field]);
  }
  return statementsOf(document, (v) => (typeof v === 'string' ? v : undefined), 'the session policy');
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

/** The local bucket of a bucket's logical id in the template (Storage's Datasets or Artifacts bucket). */
export const localBucketOf = (names: LocalNames, id: string): string | undefined =>
  (/Datasets/.test(id) ? names.datasets : /Artifacts/.test(id) ? names.artifacts : undefined);

function resolver(template: StackTemplate, resources: Resources, names: LocalNames) {
  const tableArn = `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${names.table}`;
  const stateMachineArn = LOCAL_STATE_MACHINE_ARN;
  const bucketOf = (id: string) => localBucketOf(names, id);
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
      case 'AWS::Scheduler::ScheduleGroup': return typeof r.Properties?.Name === 'string' ? r.Properties.Name : id;
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
      case 'AWS::IAM::Role.Arn': { const name = ref(id); return name && localRoleArn(name); }
      case 'AWS::IAM::Role.RoleId': return localRoleId(id);
      case 'AWS::Scheduler::ScheduleGroup.Arn': { const name = ref(id); return name && localScheduleGroupArn(name); }
      case 'AWS::SQS::Queue.Arn': return localQueueArn(id);
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
  authorize(accessKeyId: string, action: string, resource: string, sessionToken?: string): IamDecision;
}

/** Whether the principal holding this access key may do the IAM action on the resource (LocalIam decides). */
export type Authorize = Authorizer['authorize'];
