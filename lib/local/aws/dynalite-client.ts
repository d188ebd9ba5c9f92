// The stream proxy's way to dynalite: requests it forwards as they came, and operations it makes itself.
// Plain node:http over kept-alive sockets: every table operation passes here, and fetch's web streams cost
// more CPU per request.
import { Agent, request } from 'node:http';
import type {
  DeleteItemOutput, DescribeTableOutput, GetItemOutput, PutItemOutput, ScanOutput, UpdateItemOutput,
} from '@aws-sdk/client-dynamodb';
import { answerHeaders, dynamoError, internalHeaders, type Answer } from './dynamo-wire';

/** The answers of the operations the proxy makes itself. */
export interface Outputs {
  DescribeTable: DescribeTableOutput;
  GetItem: GetItemOutput;
  PutItem: PutItemOutput;
  UpdateItem: UpdateItemOutput;
  DeleteItem: DeleteItemOutput;
  Scan: ScanOutput;
}

/** One dynalite operation made by the proxy itself; its error answers are thrown as the SDK would name them. */
export type DynaliteCall = <A extends keyof Outputs>(action: A, input: object) => Promise<Outputs[A]>;

export function dynaliteClient(dynaliteUrl: string) {
  const target = new URL(dynaliteUrl);
  const agent = new Agent({ keepAlive: true });
  function send(action: string, body: string | Buffer, headers: Record<string, string> = internalHeaders(action)): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: target.hostname, port: target.port, method: 'POST', path: '/', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 500, headers: answerHeaders(incoming.headers), body: Buffer.concat(chunks) }));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  const call: DynaliteCall = async (action, input) => {
    const answer = await send(action, JSON.stringify(input));
    const output: Outputs[typeof action] & { __type?: string; message?: string } = JSON.parse(answer.body.toString('utf8') || '{}');
    if (answer.status !== 200) throw dynamoError(output);
    return output;
  };

  return { send, call };
}
