import { AuthMode, type GatewayManifest } from '../gateway.js';

/**
 * Which APIs of a manifest enable API_KEY auth. Sluice's own manifest enables it on
 * neither, so the twin issues and publishes a key only for a manifest that asks for one.
 *
 * @example
 * ```ts
 * apiKeyApis(gateway); // { graphql: false, events: false }
 * ```
 */
export function apiKeyApis(manifest: GatewayManifest): { graphql: boolean; events: boolean } {
  const { graphql, events } = manifest;
  return {
    graphql: graphql.defaultAuthMode === AuthMode.API_KEY || graphql.additionalAuthModes.includes(AuthMode.API_KEY),
    events: events.authProviders.includes(AuthMode.API_KEY),
  };
}

/** True when either API of the manifest enables API_KEY auth. */
export function usesApiKeys(manifest: GatewayManifest): boolean {
  const apis = apiKeyApis(manifest);
  return apis.graphql || apis.events;
}
