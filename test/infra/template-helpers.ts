// Reading the synthesized template the way the local cloud does: resources by type, handler metadata, and the
// state machine definition with its Fn::Join tokens resolved to readable placeholders.
import { HANDLER_METADATA_KEY } from '#lib/synth';

export type Template = { Resources: Record<string, { Type: string; Properties?: any; Metadata?: any; DependsOn?: any }> };

export const HTTP_ROUTES: Record<string, string> = {
  'GET /health': 'health',
  'GET /openapi.json': 'get-openapi',
  'GET /trainers': 'list-trainers',
  'POST /datasets': 'create-dataset',
  'GET /datasets': 'list-datasets',
  'GET /datasets/{datasetId}': 'get-dataset',
  'POST /datasets/{datasetId}/uploads': 'create-upload',
  'POST /jobs': 'create-job',
  'GET /jobs': 'list-jobs',
  'GET /jobs/{jobId}': 'get-job',
  'POST /jobs/{jobId}/cancel': 'cancel-job',
  'GET /jobs/{jobId}/artifact': 'get-artifact',
  'POST /adapters': 'create-adapter',
  'GET /adapters': 'list-adapters',
  'DELETE /adapters/{adapterId}': 'delete-adapter',
};

export const ALL_HANDLERS = [
  ...Object.values(HTTP_ROUTES),
  'ws-authorize', 'ws-connect', 'ws-disconnect', 'ws-message', 'validate-dataset', 'notify',
  'training-submit', 'training-poll', 'training-collect', 'training-cancel-remote', 'training-mark-failed', 'reconcile',
];

export const ofType = (t: Template, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** Handler name of a Lambda function resource, or undefined for CDK's own provider functions. */
export const handlerOf = (t: Template, logicalId: string): string | undefined =>
  t.Resources[logicalId]?.Metadata?.[HANDLER_METADATA_KEY];

/** Logical id of the function behind `{Fn::GetAtt: [id, 'Arn']}` inside any value. */
export function functionIdIn(value: unknown): string | undefined {
  const text = JSON.stringify(value);
  return /"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/.exec(text)?.[1];
}

/** The handler whose function is the given logical id's unique function. */
export const functionByHandler = (t: Template, handler: string) => {
  const found = ofType(t, 'AWS::Lambda::Function').filter(([id]) => handlerOf(t, id) === handler);
  if (found.length !== 1) throw new Error(`expected one function for ${handler}, found ${found.length}`);
  return found[0]!;
};

/** The state machine's definition as ASL, each `Fn::GetAtt [id, Arn]` replaced by `arn:handler:<name>`. */
export function stateMachineDefinition(t: Template): any {
  const machines = ofType(t, 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const def = machines[0]![1].Properties.DefinitionString;
  const parts: unknown[] = typeof def === 'string' ? [def] : def['Fn::Join'][1];
  const text = parts.map((p) => {
    if (typeof p === 'string') return p;
    const id = functionIdIn(p);
    if (!id) throw new Error(`unexpected token in definition: ${JSON.stringify(p)}`);
    return `arn:handler:${handlerOf(t, id)}`;
  }).join('');
  return JSON.parse(text);
}

/** All statements of the IAM policies attached to a function's role. */
export function statementsOf(t: Template, functionId: string): any[] {
  const roleRef = t.Resources[functionId]!.Properties.Role['Fn::GetAtt'][0];
  return ofType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleRef))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

export const actionsOf = (t: Template, functionId: string): string[] =>
  statementsOf(t, functionId).flatMap((s) => [s.Action].flat());
