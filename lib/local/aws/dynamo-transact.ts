// TransactWriteItems for dynalite, which has no transactions: with the locks of all its items held (the caller
// takes them), the transaction is applied item by item and rolled back from the before-images when one fails,
// which is atomic for every writer but this one. The failure answers as DynamoDB's does, with a reason per item.
import type { DynaliteCall } from './dynalite-client';
import type { Change } from './dynamo-stream-record';
import { hasCanonicalNumbers, JSON_TYPE, type Answer, type Item, type Target, type TransactItem } from './dynamo-wire';

/** What the transaction needs of the proxy. */
export interface TransactTable {
  call: DynaliteCall;
  /** The item as dynalite has it. */
  read(target: Target): Promise<Item | undefined>;
  /** The item's current image: the one the proxy last saw, else read. */
  current(target: Target): Promise<Item | undefined>;
  /** Remembers the committed images and emits their stream records. */
  committed(targets: Target[], changes: Change[]): Promise<void>;
  /** Forgets the item's image: read it again when next needed. */
  forget(target: Target): void;
}

/** `targets[i]` is the item of `ops[i]`. */
export async function transactWriteItems(table: TransactTable, ops: TransactItem[], targets: Target[]): Promise<Answer> {
  const { call, read, current } = table;
  const changes: Change[] = [];
  for (const [i, op] of ops.entries()) {
    const { ReturnValuesOnConditionCheckFailure: _, ...spec } = (op.Put ?? op.Update ?? op.Delete ?? op.ConditionCheck)!;
    const target = targets[i]!;
    try {
      if (op.Put) {
        const { Attributes } = await call('PutItem', { ...spec, ReturnValues: 'ALL_OLD' });
        changes.push({ before: Attributes, after: hasCanonicalNumbers(spec.Item) ? spec.Item : await read(target) });
      } else if (op.Update) {
        const before = await current(target);
        const { Attributes } = await call('UpdateItem', { ...spec, ReturnValues: 'ALL_NEW' });
        changes.push({ before, after: Attributes });
      } else if (op.Delete) {
        const { Attributes } = await call('DeleteItem', { ...spec, ReturnValues: 'ALL_OLD' });
        changes.push({ before: Attributes, after: undefined });
      } else {
        // A condition check is an update that changes nothing, but creates an absent item: delete it again.
        const { Attributes } = await call('UpdateItem', {
          ...spec, UpdateExpression: 'REMOVE #lwNoop', ExpressionAttributeNames: { ...spec.ExpressionAttributeNames, '#lwNoop': 'lw:noop' }, ReturnValues: 'ALL_OLD',
        });
        if (!Attributes) await call('DeleteItem', { TableName: target[0], Key: target[1] });
        changes.push({ before: Attributes, after: Attributes });
      }
    } catch (error) {
      for (let j = changes.length - 1; j >= 0; j--) await restore(call, targets[j]!, changes[j]!.before);
      for (const t of targets) table.forget(t);
      return cancelled(ops, i, error as Error);
    }
  }
  await table.committed(targets, changes);
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: Buffer.from('{}') };
}

async function restore(call: DynaliteCall, [table, key]: Target, item: Item | undefined) {
  if (item) await call('PutItem', { TableName: table, Item: item });
  else await call('DeleteItem', { TableName: table, Key: key });
}

/** DynamoDB's answer to a transaction whose item `failed` failed with `error`. */
function cancelled(ops: TransactItem[], failed: number, error: Error): Answer {
  const reasons = ops.map((_op, k) => (k === failed
    ? { Code: error.name === 'ConditionalCheckFailedException' ? 'ConditionalCheckFailed' : 'ValidationError', Message: error.message }
    : { Code: 'None' }));
  const body = {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    CancellationReasons: reasons,
  };
  return { status: 400, headers: { 'content-type': JSON_TYPE }, body: Buffer.from(JSON.stringify(body)) };
}
