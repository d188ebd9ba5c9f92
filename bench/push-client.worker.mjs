// The browser of the push-latency bench: a WebSocket client on a thread of its own, so the moment a frame
// arrives is taken by an idle event loop, as in a user's browser, and not by the local cloud's busy one.
// It records when each job message arrived and says `done` once `expect` jobs have completed.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, expect } = workerData;
const received = [];
const completed = new Set();
const socket = new WebSocket(url);
socket.on('open', () => parentPort.postMessage({ open: true }));
socket.on('error', (error) => parentPort.postMessage({ error: String(error) }));
socket.on('message', (data) => {
  const at = Date.now();
  const message = JSON.parse(data.toString());
  if (message.type !== 'job') return;
  received.push({ at, id: message.job.id, updatedAt: message.job.updatedAt });
  if (message.job.status === 'COMPLETED') completed.add(message.job.id);
  if (completed.size === expect) {
    socket.close();
    parentPort.postMessage({ done: true, received });
  }
});
