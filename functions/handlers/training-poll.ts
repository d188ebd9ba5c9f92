import { pollTraining } from '#app/poll-training';
import { workflowTask } from '#events/workflow-task';

export const handler = workflowTask(pollTraining);
