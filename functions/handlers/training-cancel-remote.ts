import { cancelRemoteTraining } from '#app/cancel-remote-training';
import { workflowTask } from '#events/workflow-task';

export const handler = workflowTask(cancelRemoteTraining);
