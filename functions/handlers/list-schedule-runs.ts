// STUB (i11/cloud only, until i11/backend has the real handler): lets the stack synthesize; dropped at the merge.
export const handler = async () => ({ statusCode: 501, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'NOT_IMPLEMENTED', message: 'Schedules are not implemented on this branch.' } }) });
