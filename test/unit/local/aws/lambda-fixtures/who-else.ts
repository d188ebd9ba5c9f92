// The same handler as another function: its own sandbox, so its own credentials and its own module state.
export { handler } from './who-am-i';
