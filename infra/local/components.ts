import type { TwinComponentFactory } from './context.js';

/** The twin's components, in the order they are offered each request. */
export const defaultComponents: TwinComponentFactory[] = [];

/** Servers the twin runs beside its HTTPS port (the Bedrock Runtime endpoint). */
export async function startSideServices(): Promise<{ bedrockEndpoint: string; close(): Promise<void> }> {
  return { bedrockEndpoint: '', close: async () => undefined };
}
