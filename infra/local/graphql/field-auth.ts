import type { ConstDirectiveNode, GraphQLField, GraphQLObjectType } from 'graphql';
import { AuthMode } from '../../gateway.js';
import type { Identity } from '../auth/index.js';

/** Which auth mode each AppSync auth directive admits. */
const DIRECTIVE_MODES: Record<string, AuthMode | 'OPENID_CONNECT'> = {
  aws_api_key: AuthMode.API_KEY,
  aws_iam: AuthMode.IAM,
  aws_cognito_user_pools: AuthMode.COGNITO,
  aws_auth: AuthMode.COGNITO,
  aws_lambda: AuthMode.LAMBDA,
  aws_oidc: 'OPENID_CONNECT',
};

/** One auth rule read from a directive: a mode, and for Cognito, the groups it requires. */
export interface AuthRule {
  mode: string;
  /** Cognito groups of which the caller must be in one; absent means any user. */
  groups?: string[];
}

function rulesOf(directives: readonly ConstDirectiveNode[] | undefined): AuthRule[] {
  const rules: AuthRule[] = [];
  for (const directive of directives ?? []) {
    const mode = DIRECTIVE_MODES[directive.name.value];
    if (!mode) continue;
    const groupsArg = directive.arguments?.find((a) => a.name.value === 'cognito_groups');
    const groups =
      groupsArg && groupsArg.value.kind === 'ListValue'
        ? groupsArg.value.values.flatMap((v) => (v.kind === 'StringValue' ? [v.value] : []))
        : undefined;
    rules.push({ mode, groups });
  }
  return rules;
}

/**
 * The rules that govern one field, as AppSync applies them: the field's own directives
 * win over its type's; with neither, only the API's default mode (any caller of it).
 */
export function fieldAuthRules(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, defaultMode: AuthMode): AuthRule[] {
  const fieldRules = rulesOf(field.astNode?.directives);
  if (fieldRules.length > 0) return fieldRules;
  const typeRules = [type.astNode, ...(type.extensionASTNodes ?? [])].flatMap((node) => rulesOf(node?.directives));
  if (typeRules.length > 0) return typeRules;
  return [{ mode: defaultMode }];
}

/** The caller as the field check sees it: the mode it authenticated with, and who it is. */
export interface Caller {
  mode: AuthMode;
  identity: Identity | null;
}

/**
 * True when the caller may resolve the field: one rule names the caller's mode and,
 * for Cognito with `cognito_groups`, the caller is in one of those groups.
 */
export function isFieldAllowed(rules: AuthRule[], caller: Caller): boolean {
  return rules.some((rule) => {
    if (rule.mode !== caller.mode) return false;
    if (!rule.groups) return true;
    const groups = caller.identity && 'groups' in caller.identity ? (caller.identity.groups ?? []) : [];
    return rule.groups.some((g) => groups.includes(g));
  });
}

/** AppSync's message for a field the caller may not read. */
export function notAuthorizedMessage(fieldName: string, typeName: string): string {
  return `Not Authorized to access ${fieldName} on type ${typeName}`;
}
