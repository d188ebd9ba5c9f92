// STUB (i11/cloud only, until i11/backend has the real handler): records nothing; answers what it was given, so the
// local Scheduler's wiring can be tested. Dropped at the merge with i11/backend.
export const handler = async (event: { scheduleId?: string; owner?: string; scheduledAt?: string }) => {
  if (event.scheduleId === 'fail') throw new Error('The stub retrain was asked to fail.');
  return { stub: true, ...event };
};
