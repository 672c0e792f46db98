/** The gateway API Lambda's entry point; the work is in ./serve-action.ts, which promptIntake shares. */
export { serveGatewayAction as handler } from './serve-action.js';
