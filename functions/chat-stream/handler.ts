/** The streaming Lambda's entry point; the work is in ./stream-chat-turn.ts, which promptIntake shares. */
export { streamChatTurn as handler } from './stream-chat-turn.js';
